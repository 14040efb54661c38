/* tests/fs/stack_tests.c - the three layers as a stack: the IRQL every completion routine
 * ran at (recorded by the drivers themselves), the filter's posted-to-worker path, and the
 * RAM disk's real interrupts behind it all. */
#include "fsutil.h"
#include "../../drivers/filter/filter.h"
#include "../../drivers/fat/fsd.h"
#include "../../drivers/ramdisk/ramdisk.h"

static NTSTATUS FsStackDiskStats(PRAMDISK_STATS Stats)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\RamDisk0");
    PFILE_OBJECT fo;
    PDEVICE_OBJECT dev;
    NTSTATUS s = IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &fo, &dev);
    if (NT_SUCCESS(s)) {
        PRAMDISK_EXTENSION ext = dev->DeviceExtension; /* nothing is attached above the disk */
        *Stats = ext->Stats;
        ObDereferenceObject(fo);
    }
    return s;
}

/* A workload: create, write, flush (posted by the filter), read back, delete. */
static VOID FsStackWorkload(void)
{
    static UCHAR buf[8192];
    HANDLE h;
    ULONG done;
    FsPattern(buf, sizeof(buf), 3);
    if (NT_SUCCESS(FsOpen(L"\\STACK.BIN", FILE_OVERWRITE_IF, 0, &h, NULL))) {
        FsWriteAt(h, 0, buf, sizeof(buf), &done);
        FsFlush(h);
        FsReadAt(h, 0, buf, sizeof(buf), &done);
        FsMarkDelete(h);
        ZwClose(h);
    }
}

KTEST(fsstack, async_disk_completions_run_at_dispatch_after_real_interrupts)
{
    FILTER_STATS f;
    RAMDISK_STATS d;
    ULONG64 before[3] = { FatFsdDiskCompletionIrql[0], FatFsdDiskCompletionIrql[1], FatFsdDiskCompletionIrql[2] };
    FltResetStats();
    FsStackWorkload();
    FltGetStats(&f);
    KT_STATUS(FsStackDiskStats(&d), STATUS_SUCCESS);
    KT_ASSERT(d.Interrupts > 0);                  /* the disk's ISR really ran */
    KT_EQ(d.Interrupts, d.Dpcs);                  /* one DPC per interrupt */
    KT_EQ(d.LastCompletionIrql, DISPATCH_LEVEL);  /* the disk completes from its DPC */
    KT_ASSERT(FatFsdDiskCompletionIrql[2] > before[2]); /* FAT's routines at DISPATCH_LEVEL */
    KT_EQ(FatFsdDiskCompletionIrql[0], before[0]);      /* and never at PASSIVE_LEVEL */
    KT_EQ(f.VolumesAttached, 0);                  /* reset: attachment happened at mount */
    KT_ASSERT(f.Requests[IRP_MJ_WRITE] >= 1 && f.Completions[IRP_MJ_WRITE] >= 1);
    KT_ASSERT(f.Requests[IRP_MJ_READ] >= 1 && f.BytesRead >= 8192 && f.BytesWritten >= 8192);
    KT_EQ(f.Posted, 1);                           /* the flush: case 2 */
    KT_EQ(f.PostedFinishedAtPassive, 1);
    KT_EQ(f.Failures, 0);
}

KTEST_EX(fsstack, sync_disk_completions_run_at_passive, 0, "ramdisk.sync")
{
    RAMDISK_STATS d;
    ULONG64 before[3] = { FatFsdDiskCompletionIrql[0], FatFsdDiskCompletionIrql[1], FatFsdDiskCompletionIrql[2] };
    FsStackWorkload();
    KT_STATUS(FsStackDiskStats(&d), STATUS_SUCCESS);
    KT_EQ(d.Interrupts, 0);                       /* no controller: done in the dispatch routine */
    KT_EQ(d.LastCompletionIrql, PASSIVE_LEVEL);
    KT_ASSERT(FatFsdDiskCompletionIrql[0] > before[0]);
    KT_EQ(FatFsdDiskCompletionIrql[2], before[2]);
}

KTEST_EX(fsstack, pit_latency_disk_completes_through_the_io_apic, 0, "ramdisk.latency=200")
{
    RAMDISK_STATS d;
    ULONG64 before = FatFsdDiskCompletionIrql[2];
    FsStackWorkload();
    KT_STATUS(FsStackDiskStats(&d), STATUS_SUCCESS);
    KT_ASSERT(d.Interrupts > 0);
    KT_EQ(d.LastCompletionIrql, DISPATCH_LEVEL);
    KT_ASSERT(FatFsdDiskCompletionIrql[2] > before);
}

KTEST(fsstack, filter_is_attached_above_the_volume)
{
    FILTER_STATS f;
    HANDLE h;
    KT_STATUS(FsOpen(L"\\HELLO.TXT", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS); /* mounts */
    ZwClose(h);
    FltGetStats(&f);
    KT_ASSERT(f.Requests[IRP_MJ_CREATE] >= 1); /* creates pass the filter (case 1 path) */
    KT_ASSERT(f.Completions[IRP_MJ_CREATE] >= 1);
}
