# file: drivers/fat/fsdrw.c
# catches: host.cc_powercut
# IRP_MJ_FLUSH_BUFFERS skips CcFlushCache: flushed data is still only in the cache at the cut.
s/^        CcFlushCache(&fcb->Sop, NULL, 0, &iosb);/        (void)0;/
