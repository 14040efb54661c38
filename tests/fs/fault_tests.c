/* tests/fs/fault_tests.c - regressions of the fault-injection campaign's FAT findings, each
 * driven through the real path (Zw call, cache manager, FAT, RAM disk) with the fault that found it. */
#include <ntifs.h>
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

/* The rename findings' scenario: a flushed 4 KiB file is renamed while Fault fails disk
 * writes; the caller hears the error, writes happened as Calls says, and only the old name is
 * left, with the file's data. */
static VOID KtpRenameUnderDiskFaults(PCWSTR Old, PCWSTR New, PCWSTR NewPath, ULONG Seed, PCSTR Fault,
                                     ULONG64 Faults, ULONG64 Calls)
{
    HANDLE h;
    ULONG done;
    ULONG64 calls, faults;
    FsPattern(KtpData, 4096, Seed);
    KT_STATUS(FsOpen(Old, FILE_OVERWRITE_IF, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(h, 0, KtpData, 4096, &done), STATUS_SUCCESS);
    KT_STATUS(FsFlush(h), STATUS_SUCCESS); /* nothing left for a later write to carry */
    KT_STATUS(VfConfigure(Fault), STATUS_SUCCESS);
    NTSTATUS renamed = FsRename(h, New, FALSE);
    VfQuerySite(VfSiteDiskWrite, &calls, &faults);
    VfReset();
    ZwClose(h);
    KT_STATUS(renamed, STATUS_DEVICE_DATA_ERROR); /* reported, never silent */
    KT_EQ(faults, Faults);
    KT_EQ(calls, Calls);
    KT_STATUS(FsOpen(NewPath, FILE_OPEN, 0, &h, NULL), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_STATUS(FsReadFile(Old, KtpBack, 4096, &done), STATUS_SUCCESS);
    KT_EQ(done, 4096);
    KT_ASSERT(RtlCompareMemory(KtpBack, KtpData, 4096) == 4096);
}

/* make replay SEED=16 OPTS=disk:op=write,prob=6,torn=1,status=data,seed=16: a rename wrote its new
 * entry, then the write removing the old one failed; both entries named one cluster chain
 * (fsck: the two files share clusters). A long name renamed to a short one is moved in three
 * writes (reserve the new name, remove the old one, name the chain) and nothing else writes
 * meanwhile, so the second write is the old entry's removal: it fails, the reservation goes
 * again, and only the old name is left. */
KTEST(fsfault, rename_whose_old_entry_cannot_be_removed_leaves_one_entry_and_reports_the_error)
{
    /* new entry, failed removal, the new entry's removal */
    KtpRenameUnderDiskFaults(L"\\Rename failed.bin", L"RNNEW.BIN", L"\\RNNEW.BIN", 16, "disk:op=write,nth=2,status=data", 1, 3);
}

/* make replay SEED=436 OPTS=disk:op=write,prob=6,torn=1,status=data,seed=436: as above, and the
 * write taking the new entry back failed as well (both are writes of one directory sector);
 * both names then held one chain on disk, and a later delete of the new name freed the
 * clusters the old name still held (fsck: "Contains a free cluster"). The second and third
 * writes fail here: the old entry's removal and the first try at taking the new one back. */
KTEST(fsfault, rename_whose_undo_fails_once_tries_again_and_leaves_one_entry)
{
    /* new entry, failed removal, failed take-back, the take-back again */
    KtpRenameUnderDiskFaults(L"\\Rename undone.bin", L"RNUNDONE.BIN", L"\\RNUNDONE.BIN", 436,
                              "disk:op=write,after=1,times=2,status=data", 2, 4);
}

/* The move's last write (naming the chain in the new entry) fails all three tries: the old
 * name is gone by then, so the caller hears STATUS_FILE_CORRUPT_ERROR, never success; the FCB
 * follows the new entry and keeps it dirty, so the last close names the chain there once the
 * disk works again, and the data is under the new name only. */
KTEST(fsfault, rename_whose_last_write_fails_names_the_file_at_close)
{
    HANDLE h;
    ULONG done;
    ULONG64 calls, faults;
    FsPattern(KtpData, 4096, 77);
    KT_STATUS(FsOpen(L"\\Rename named late.bin", FILE_OVERWRITE_IF, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL),
              STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(h, 0, KtpData, 4096, &done), STATUS_SUCCESS);
    KT_STATUS(FsFlush(h), STATUS_SUCCESS);
    KT_STATUS(VfConfigure("disk:op=write,after=2,times=3,status=data"), STATUS_SUCCESS);
    NTSTATUS renamed = FsRename(h, L"RNLATE.BIN", FALSE);
    VfQuerySite(VfSiteDiskWrite, &calls, &faults);
    VfReset();
    ZwClose(h); /* the last close: the dirty entry is written where the FCB now points */
    KT_STATUS(renamed, STATUS_FILE_CORRUPT_ERROR);
    KT_EQ(faults, 3);
    KT_EQ(calls, 5); /* reservation, removal, three tries at the chain's name */
    KT_STATUS(FsOpen(L"\\Rename named late.bin", FILE_OPEN, 0, &h, NULL), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_STATUS(FsReadFile(L"\\RNLATE.BIN", KtpBack, 4096, &done), STATUS_SUCCESS);
    KT_EQ(done, 4096);
    KT_ASSERT(RtlCompareMemory(KtpBack, KtpData, 4096) == 4096);
}

/* Power-cut seeds 568, 608, 2468, 4198, 4778 and 7568 cut a rename of an 8.3 name between its
 * two writes. Now it is one write, of the entry where it stands: a failed write leaves the old
 * name (and the error), a good one the new name, and the entry keeps its slot. */
KTEST(fsfault, short_rename_in_one_directory_is_one_write_in_place)
{
    HANDLE h;
    ULONG done;
    ULONG64 calls, faults;
    FsPattern(KtpData, 4096, 78);
    KT_STATUS(FsOpen(L"\\RNPLACE.BIN", FILE_OVERWRITE_IF, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(h, 0, KtpData, 4096, &done), STATUS_SUCCESS);
    KT_STATUS(FsFlush(h), STATUS_SUCCESS);
    KT_STATUS(VfConfigure("disk:op=write,nth=1,status=data"), STATUS_SUCCESS);
    NTSTATUS failed = FsRename(h, L"RNPLACE2.BIN", FALSE);
    VfQuerySite(VfSiteDiskWrite, &calls, &faults);
    KT_STATUS(VfConfigure("disk:op=write,nth=1000,status=data"), STATUS_SUCCESS); /* counts, fails none */
    NTSTATUS renamed = FsRename(h, L"RNPLACE2.BIN", FALSE);
    ULONG64 calls2, faults2;
    VfQuerySite(VfSiteDiskWrite, &calls2, &faults2);
    VfReset();
    ZwClose(h);
    KT_STATUS(failed, STATUS_DEVICE_DATA_ERROR);
    KT_EQ(calls, 1);
    KT_EQ(faults, 1);
    KT_STATUS(renamed, STATUS_SUCCESS);
    KT_EQ(calls2, 1); /* one write */
    KT_EQ(faults2, 0);
    KT_STATUS(FsOpen(L"\\RNPLACE.BIN", FILE_OPEN, 0, &h, NULL), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_STATUS(FsReadFile(L"\\RNPLACE2.BIN", KtpBack, 4096, &done), STATUS_SUCCESS);
    KT_EQ(done, 4096);
    KT_ASSERT(RtlCompareMemory(KtpBack, KtpData, 4096) == 4096);
}

/* A lowres-io campaign boot (seed 10012: fsdreq faults): a cached write grows the file in memory
 * only; cleanup's write of the entry failed (cleanup cannot fail, so nobody heard), and the FCB
 * forgot the entry was still to be written, so close did not try again and the file was 0
 * bytes on disk. The first disk request FAT builds in the close fails: the entry write (or the
 * FAT sectors written before it) at cleanup; close writes the entry again. */
KTEST(fsfault, cached_growth_whose_entry_write_fails_at_cleanup_is_written_at_close)
{
    HANDLE h;
    ULONG done;
    ULONG64 calls, faults, size;
    FsPattern(KtpData, 2560, 10012);
    KT_STATUS(FsOpen(L"\\GROWFAIL.BIN", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS); /* cached */
    KT_STATUS(FsWriteAt(h, 0, KtpData, 2560, &done), STATUS_SUCCESS);
    KT_STATUS(VfConfigure("lowres:site=fsdreq,driver=FatFsdDiskIo,nth=1"), STATUS_SUCCESS);
    ZwClose(h); /* cleanup (its entry write fails), then close */
    VfQuerySite(VfSiteFsdRequest, &calls, &faults);
    VfReset();
    KT_EQ(faults, 1);
    KT_ASSERT(calls >= 2); /* the failed request and at least the close's retry */
    KT_STATUS(FsOpen(L"\\GROWFAIL.BIN", FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsSize(h, &size), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(h, 0, KtpBack, 2560, &done), STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ(size, 2560);
    KT_EQ(done, 2560);
    KT_ASSERT(RtlCompareMemory(KtpBack, KtpData, 2560) == 2560);
}

/* Disk-torn campaign seed 20045: cleanup's entry write failed and so did close's first try (two
 * faulted disk writes in a row); the FCB then went and the file stayed 0 bytes. Close now tries
 * the entry a few times: the first two requests of the close fail, the third writes it. */
KTEST(fsfault, cached_growth_survives_two_failed_entry_writes_in_a_row_at_close)
{
    HANDLE h;
    ULONG done;
    ULONG64 calls, faults, size;
    FsPattern(KtpData, 3072, 20045);
    KT_STATUS(FsOpen(L"\\GROWTWO.BIN", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS); /* cached */
    KT_STATUS(FsWriteAt(h, 0, KtpData, 3072, &done), STATUS_SUCCESS);
    KT_STATUS(VfConfigure("lowres:site=fsdreq,driver=FatFsdDiskIo,interval=1,times=2"), STATUS_SUCCESS);
    ZwClose(h);
    VfQuerySite(VfSiteFsdRequest, &calls, &faults);
    VfReset();
    KT_EQ(faults, 2);
    KT_STATUS(FsOpen(L"\\GROWTWO.BIN", FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsSize(h, &size), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(h, 0, KtpBack, 3072, &done), STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ(size, 3072);
    KT_EQ(done, 3072);
    KT_ASSERT(RtlCompareMemory(KtpBack, KtpData, 3072) == 3072);
}

/* make replay SEED=6933 (and 7103) OPTS=lowres:site=irp,prob=20,.../lowres:site=fsdreq,prob=10,...:
 * four disk requests in a row could not be built at the last cleanup and close, and a file
 * whose write had succeeded was 0 bytes. While requests cannot be allocated the close keeps
 * trying (waiting between tries): here the first six are refused and the seventh lands. */
KTEST(fsfault, cached_growth_outlasts_low_resources_at_close)
{
    HANDLE h;
    ULONG done;
    ULONG64 calls, faults, size;
    FsPattern(KtpData, 3072, 6933);
    KT_STATUS(FsOpen(L"\\GROWLOW.BIN", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS); /* cached */
    KT_STATUS(FsWriteAt(h, 0, KtpData, 3072, &done), STATUS_SUCCESS);
    KT_STATUS(VfConfigure("lowres:site=fsdreq,driver=FatFsdDiskIo,interval=1,times=6"), STATUS_SUCCESS);
    ZwClose(h);
    VfQuerySite(VfSiteFsdRequest, &calls, &faults);
    VfReset();
    KT_EQ(faults, 6);
    KT_STATUS(FsOpen(L"\\GROWLOW.BIN", FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsSize(h, &size), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(h, 0, KtpBack, 3072, &done), STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ(size, 3072);
    KT_EQ(done, 3072);
    KT_ASSERT(RtlCompareMemory(KtpBack, KtpData, 3072) == 3072);
}

/* make replay SEED=10015 OPTS=disk:op=write,prob=6,torn=1,status=data,seed=10015: the paging
 * write of a cached file's last close failed and the cache manager dropped the dirty pages
 * without a word: data the caller was told was written vanished (the oracle's `corrupt`).
 * Windows drops it too, but raises "Delayed Write Failed" (STATUS_LOST_WRITEBEHIND_DATA). The
 * file keeps what the disk held, the loss is counted once and the hard-error line names it. */
KTEST(fsfault, write_behind_that_fails_at_the_last_close_is_lost_but_reported)
{
    HANDLE h;
    ULONG done;
    CC_STATISTICS before, after;
    FsPattern(KtpData, 4096, 10015);
    FsPattern(KtpBack, 4096, 10016);
    KT_STATUS(FsOpen(L"\\LOSTWB.BIN", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS); /* cached */
    KT_STATUS(FsWriteAt(h, 0, KtpData, 4096, &done), STATUS_SUCCESS);
    KT_STATUS(FsFlush(h), STATUS_SUCCESS); /* the first version and the size are on disk */
    KT_STATUS(FsWriteAt(h, 0, KtpBack, 4096, &done), STATUS_SUCCESS); /* only in the cache */
    CcQueryStatistics(&before);
    KT_STATUS(VfConfigure("disk:op=write,status=data"), STATUS_SUCCESS); /* every write fails */
    ZwClose(h);
    VfReset();
    CcQueryStatistics(&after);
    KT_EQ(after.LostDelayedWrites - before.LostDelayedWrites, 1);
    RtlZeroMemory(KtpBack, 4096);
    KT_STATUS(FsOpen(L"\\LOSTWB.BIN", FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(h, 0, KtpBack, 4096, &done), STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ(done, 4096);
    KT_ASSERT(RtlCompareMemory(KtpBack, KtpData, 4096) == 4096); /* what the disk held */
}
