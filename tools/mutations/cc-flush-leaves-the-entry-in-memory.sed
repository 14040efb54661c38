# file: drivers/fat/fsdrw.c
# catches: host.cc_powercut
# IRP_MJ_FLUSH_BUFFERS writes the data but not the directory entry: after a power cut the
# flushed file is on the disk with its old size (0), so its flushed bytes are unreachable.
s/fcb ? FatFlushFileEntry(fcb->File) : STATUS_SUCCESS;/STATUS_SUCCESS;/
