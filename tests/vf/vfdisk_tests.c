/* tests/vf/vfdisk_tests.c - the RAM disk's injected faults: media errors reach the Zw caller
 * with their NTSTATUS, torn writes land only their first sectors, the controller's timing
 * (jitter, reordering, spurious interrupts) changes nothing a caller can see but the order. */
#include "../fs/fsutil.h"
#include <irqlab/vf.h>
#include <irqlab/ramctl.h>

#define KT_SCRATCH_SECTOR 7000 /* inside the 4 MiB built-in disk, past what its FAT16 uses */

static PDEVICE_OBJECT KtpDisk(void)
{
    UNICODE_STRING n = RTL_CONSTANT_STRING(L"\\Device\\RamDisk0");
    PFILE_OBJECT fo;
    PDEVICE_OBJECT d = NULL;
    if (NT_SUCCESS(IoGetDeviceObjectPointer(&n, FILE_READ_DATA, &fo, &d)))
        ObDereferenceObject(fo); /* the disk is built in and never goes away */
    return d;
}

/* One synchronous sector request straight to the disk (the caller is this test). */
static NTSTATUS KtpDiskIo(ULONG Major, ULONG64 Sector, PVOID Buffer, ULONG Length, PULONG_PTR Done)
{
    KEVENT ev;
    IO_STATUS_BLOCK iosb = { 0 };
    LARGE_INTEGER off = { .QuadPart = (LONGLONG)(Sector * 512) };
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    PIRP irp = IoBuildSynchronousFsdRequest(Major, KtpDisk(), Buffer, Length, &off, &ev, &iosb);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS st = IoCallDriver(KtpDisk(), irp);
    if (st == STATUS_PENDING) {
        KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL);
        st = iosb.Status;
    }
    if (Done)
        *Done = iosb.Information;
    return st;
}

static RAMDISK_STATS KtpStats(void)
{
    RAMDISK_STATS s;
    RtlZeroMemory(&s, sizeof(s));
    FsDiskControl(IOCTL_RAMDISK_QUERY_STATS, &s, sizeof(s));
    return s;
}

KTEST(vf, disk_read_error_reaches_the_zw_caller_with_its_status)
{
    static UCHAR data[4096], back[4096];
    HANDLE h;
    ULONG done;
    FsPattern(data, sizeof(data), 12);
    KT_STATUS(FsOpen(L"\\VFERR.BIN", FILE_OVERWRITE_IF, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(h, 0, data, sizeof(data), &done), STATUS_SUCCESS);
    KT_STATUS(FsFlush(h), STATUS_SUCCESS);
    static const PCSTR rules[] = { "disk:op=read,status=crc", "disk:op=read,status=data", "disk:op=read,status=io" };
    static const NTSTATUS want[] = { STATUS_CRC_ERROR, STATUS_DEVICE_DATA_ERROR, STATUS_IO_DEVICE_ERROR };
    for (ULONG i = 0; i < ARRAYSIZE(rules); i++) {
        KT_STATUS(VfConfigure(rules[i]), STATUS_SUCCESS);
        NTSTATUS st = FsReadAt(h, 0, back, sizeof(back), &done);
        ULONG64 calls, faults;
        VfQuerySite(VfSiteDiskRead, &calls, &faults);
        VfReset();
        KT_STATUS(st, want[i]);
        KT_ASSERT(faults >= 1);
    }
    /* and with the rule gone the data is there, unchanged */
    KT_STATUS(FsReadAt(h, 0, back, sizeof(back), &done), STATUS_SUCCESS);
    KT_ASSERT(RtlCompareMemory(back, data, sizeof(data)) == sizeof(data));
    KT_STATUS(FsMarkDelete(h), STATUS_SUCCESS);
    ZwClose(h);
}

KTEST(vf, sector_range_rule_fails_only_requests_that_touch_it)
{
    static UCHAR buf[512 * 4];
    ULONG_PTR done;
    KT_STATUS(VfConfigure("disk:op=read,sector=7002-7003,status=crc"), STATUS_SUCCESS);
    NTSTATUS below = KtpDiskIo(IRP_MJ_READ, KT_SCRATCH_SECTOR, buf, 1024, &done);       /* 7000-7001 */
    NTSTATUS overlap = KtpDiskIo(IRP_MJ_READ, KT_SCRATCH_SECTOR + 1, buf, 1024, &done); /* 7001-7002 */
    NTSTATUS above = KtpDiskIo(IRP_MJ_READ, KT_SCRATCH_SECTOR + 4, buf, 2048, &done);   /* 7004-7007 */
    NTSTATUS write = KtpDiskIo(IRP_MJ_WRITE, KT_SCRATCH_SECTOR + 2, buf, 512, &done);   /* a write: op=read */
    VfReset();
    KT_STATUS(below, STATUS_SUCCESS);
    KT_STATUS(overlap, STATUS_CRC_ERROR);
    KT_STATUS(above, STATUS_SUCCESS);
    KT_STATUS(write, STATUS_SUCCESS);
}

KTEST(vf, torn_write_lands_its_first_sectors_then_fails)
{
    static UCHAR old[2048], new[2048], back[2048];
    ULONG_PTR done;
    FsPattern(old, sizeof(old), 1);
    FsPattern(new, sizeof(new), 2);
    KT_STATUS(KtpDiskIo(IRP_MJ_WRITE, KT_SCRATCH_SECTOR, old, sizeof(old), &done), STATUS_SUCCESS);
    KT_STATUS(VfConfigure("disk:sector=7000,torn=1,status=data"), STATUS_SUCCESS);
    NTSTATUS st = KtpDiskIo(IRP_MJ_WRITE, KT_SCRATCH_SECTOR, new, sizeof(new), &done);
    VfReset();
    KT_STATUS(st, STATUS_DEVICE_DATA_ERROR);
    KT_EQ(done, 512);
    KT_STATUS(KtpDiskIo(IRP_MJ_READ, KT_SCRATCH_SECTOR, back, sizeof(back), &done), STATUS_SUCCESS);
    KT_ASSERT(RtlCompareMemory(back, new, 512) == 512);              /* the first sector landed */
    KT_ASSERT(RtlCompareMemory(back + 512, old + 512, 1536) == 1536); /* the rest is as it was */
}

/* Eight reads queued at once; their completion routines record the order they finish in. */
static ULONG KtpOrder[8], KtpOrderCount;
static KEVENT KtpAllDone;
static NTSTATUS KtpOrderCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    if (NT_SUCCESS(Irp->IoStatus.Status))
        KtpOrder[KtpOrderCount] = (ULONG)(ULONG_PTR)Context;
    if (++KtpOrderCount == 8)
        KeSetEvent(&KtpAllDone, IO_NO_INCREMENT, FALSE);
    if (Irp->MdlAddress->MdlFlags & MDL_PAGES_LOCKED)
        MmUnlockPages(Irp->MdlAddress);
    IoFreeMdl(Irp->MdlAddress);
    Irp->MdlAddress = NULL;
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static BOOLEAN KtpQueueEight(BOOLEAN *InOrder)
{
    static UCHAR buf[8][512];
    LARGE_INTEGER off;
    KIRQL old;
    PDEVICE_OBJECT disk = KtpDisk(); /* IoGetDeviceObjectPointer is PASSIVE_LEVEL only */
    KtpOrderCount = 0;
    KeInitializeEvent(&KtpAllDone, NotificationEvent, FALSE);
    /* queued at DISPATCH_LEVEL so the controller sees all eight before the first completes */
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    for (ULONG i = 0; i < 8; i++) {
        off.QuadPart = (LONGLONG)(KT_SCRATCH_SECTOR + i) * 512;
        PIRP irp = IoBuildAsynchronousFsdRequest(IRP_MJ_READ, disk, buf[i], 512, &off, NULL);
        IoSetCompletionRoutine(irp, KtpOrderCompletion, (PVOID)(ULONG_PTR)i, TRUE, TRUE, TRUE);
        IoCallDriver(disk, irp);
    }
    KeLowerIrql(old);
    KeWaitForSingleObject(&KtpAllDone, Executive, KernelMode, FALSE, NULL);
    *InOrder = TRUE;
    for (ULONG i = 0; i < 8; i++)
        *InOrder &= KtpOrder[i] == i;
    return KtpOrderCount == 8;
}

KTEST(vf, reorder_rule_completes_every_queued_request_out_of_order)
{
    BOOLEAN inOrder;
    KT_ASSERT(KtpQueueEight(&inOrder));
    KT_ASSERT(inOrder); /* the controller alone is FIFO */
    KT_STATUS(VfConfigure("disk:reorder,seed=5"), STATUS_SUCCESS);
    BOOLEAN all = KtpQueueEight(&inOrder);
    ULONG64 calls, faults;
    VfQuerySite(VfSiteDiskTiming, &calls, &faults);
    VfReset();
    KT_ASSERT(all);
    KT_ASSERT(!inOrder);
    KT_ASSERT(faults >= 1);
}

KTEST(vf, spurious_interrupts_are_refused_by_the_isr_and_lose_nothing)
{
    static UCHAR a[1024], b[1024];
    ULONG_PTR done;
    RAMDISK_STATS before = KtpStats();
    KT_STATUS(VfConfigure("disk:spurious=100"), STATUS_SUCCESS);
    NTSTATUS st1 = KtpDiskIo(IRP_MJ_READ, KT_SCRATCH_SECTOR, a, sizeof(a), &done);
    NTSTATUS st2 = KtpDiskIo(IRP_MJ_READ, KT_SCRATCH_SECTOR, b, sizeof(b), &done);
    VfReset();
    RAMDISK_STATS after = KtpStats();
    KT_STATUS(st1, STATUS_SUCCESS);
    KT_STATUS(st2, STATUS_SUCCESS);
    KT_ASSERT(RtlCompareMemory(a, b, sizeof(a)) == sizeof(a));
    KT_ASSERT(after.Spurious >= before.Spurious + 2);
}

KTEST(vf, jitter_rule_delays_completion_by_seeded_microseconds)
{
    static UCHAR a[512];
    ULONG_PTR done;
    KT_STATUS(VfConfigure("disk:jitter=3000,seed=9"), STATUS_SUCCESS);
    ULONG64 t0 = KeQueryInterruptTime();
    for (ULONG i = 0; i < 4; i++)
        KT_STATUS(KtpDiskIo(IRP_MJ_READ, KT_SCRATCH_SECTOR, a, sizeof(a), &done), STATUS_SUCCESS);
    ULONG64 elapsed = KeQueryInterruptTime() - t0;
    ULONG64 calls, faults;
    VfQuerySite(VfSiteDiskTiming, &calls, &faults);
    VfReset();
    KT_EQ(faults, 4);
    KT_ASSERT(elapsed > 10 * 100); /* > 100 us in 100 ns units: the PIT, not a self-IPI */
    /* With the rule gone the next request interrupts by self-IPI and the PIT is given back. */
    KT_STATUS(KtpDiskIo(IRP_MJ_READ, KT_SCRATCH_SECTOR, a, sizeof(a), &done), STATUS_SUCCESS);
}

/* Booted by tests/host/vf_powercut.sh with fault=powercut:nth=5: ten numbered writes, the
 * machine stops dead after the fifth, and the host finds exactly the first five on disk. */
KTEST_EX(vf, power_cut_leaves_exactly_the_first_n_writes_on_disk, 0, "hostonly")
{
    static UCHAR sector[512];
    ULONG_PTR done;
    for (ULONG i = 0; i < 10; i++) {
        RtlFillMemory(sector, sizeof(sector), (UCHAR)(0xA0 + i));
        KT_STATUS(KtpDiskIo(IRP_MJ_WRITE, 7100 + i, sector, sizeof(sector), &done), STATUS_SUCCESS);
    }
    KtFail(__FILE__, __LINE__, "the power stayed on after ten writes");
}

KTEST(vf, fat_pool_failure_reaches_the_zw_caller_as_insufficient_resources)
{
    HANDLE h;
    ULONG count;
    BOOLEAN found;
    KT_STATUS(FsCountEntries(L"\\", &count, L"VFPOOL.TXT", &found), STATUS_SUCCESS); /* mounted */
    KT_ASSERT(!found);
    /* the first allocation the FAT driver makes for this create fails, in the real allocator */
    KT_STATUS(VfConfigure("lowres:site=pool,driver=Fat,nth=1"), STATUS_SUCCESS);
    NTSTATUS st = FsOpen(L"\\VFPOOL.TXT", FILE_CREATE, 0, &h, NULL);
    ULONG64 calls, faults;
    VfQuerySite(VfSitePool, &calls, &faults);
    VfReset();
    KT_STATUS(st, STATUS_INSUFFICIENT_RESOURCES);
    KT_EQ(faults, 1);
    /* refused cleanly: no file appeared, and it can be created now */
    KT_STATUS(FsCountEntries(L"\\", &count, L"VFPOOL.TXT", &found), STATUS_SUCCESS);
    KT_ASSERT(!found);
    KT_STATUS(FsOpen(L"\\VFPOOL.TXT", FILE_CREATE, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsMarkDelete(h), STATUS_SUCCESS);
    ZwClose(h);
}
