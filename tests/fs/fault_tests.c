/* tests/fs/fault_tests.c - regressions of the fault-injection campaign's FAT findings, each
 * driven through the real path (Zw call, cache manager, FAT, RAM disk) with the fault that found it. */
#include "fsutil.h"
#include <irqlab/vf.h>

static UCHAR KtpData[8192], KtpBack[8192];

/* make replay SEED=12 OPTS=lowres:prob=8,seed=12: the cache manager's paging write arrives at
 * APC_LEVEL (it holds its FAST_MUTEX); FAT's transfer block cannot be allocated, so the write
 * takes the synchronous path, whose own disk writes were case-1 IRPs: pended, their final
 * completion is an APC to this thread that writes the IOSB and signals the event in
 * FatFsdDiskIo's frame, and at APC_LEVEL it could only run after that frame was gone (it then
 * signalled garbage: 0xA in KiWaitTestEx). Reverted, this boot stops with that bug check. */
KTEST(fsfault, paging_write_whose_transfer_allocation_fails_is_written_synchronously_at_apc_level)
{
    HANDLE h;
    ULONG done;
    ULONG64 calls, faults;
    FsPattern(KtpData, sizeof(KtpData), 12);
    KT_STATUS(FsOpen(L"\\PGFAIL.BIN", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS); /* cached */
    KT_STATUS(FsWriteAt(h, 0, KtpData, sizeof(KtpData), &done), STATUS_SUCCESS);
    KT_STATUS(VfConfigure("lowres:site=pool,tag=FFsd,driver=FatFsdpTransfer,interval=1"), STATUS_SUCCESS);
    NTSTATUS flushed = FsFlush(h); /* CcFlushCache: the paging write, at APC_LEVEL */
    VfQuerySite(VfSitePool, &calls, &faults);
    VfReset();
    ZwClose(h);
    KT_STATUS(flushed, STATUS_SUCCESS);
    KT_ASSERT(faults >= 1); /* the transfer block really was refused */
    KT_STATUS(FsOpen(L"\\PGFAIL.BIN", FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(h, 0, KtpBack, sizeof(KtpBack), &done), STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ(done, sizeof(KtpBack));
    KT_ASSERT(RtlCompareMemory(KtpBack, KtpData, sizeof(KtpData)) == sizeof(KtpData)); /* from the disk */
}
