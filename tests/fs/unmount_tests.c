/* tests/fs/unmount_tests.c - taking the stack down: FSCTL_DISMOUNT_VOLUME on a volume handle,
 * the volume and filter devices deleted, every pool block of the drivers back, every IRP
 * freed and finally completed exactly once, and the disk mounting afresh afterwards. */
#include "fsutil.h"
#include "../../drivers/filter/filter.h"
#include "../../drivers/fat/fsd.h"

static NTSTATUS UmFsctl(HANDLE H, ULONG Code)
{
    IO_STATUS_BLOCK iosb;
    return ZwFsControlFile(H, NULL, NULL, NULL, &iosb, Code, NULL, 0, NULL, 0);
}

/* The disk's current VPB, through a direct device open. */
static BOOLEAN UmMounted(void)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(FS_ROOT);
    PFILE_OBJECT fo;
    PDEVICE_OBJECT dev;
    BOOLEAN mounted = FALSE;
    if (NT_SUCCESS(IoGetDeviceObjectPointer(&name, FILE_READ_ATTRIBUTES, &fo, &dev))) {
        mounted = (fo->DeviceObject->Vpb->Flags & VPB_MOUNTED) != 0;
        ObDereferenceObject(fo);
    }
    return mounted;
}

static ULONG UmCountDevices(PDRIVER_OBJECT Driver)
{
    ULONG n = 0;
    for (PDEVICE_OBJECT d = Driver->DeviceObject; d; d = d->NextDevice)
        n++;
    return n;
}

static ULONG UmFilterVolumeDevices(void)
{
    ULONG n = 0;
    for (PDEVICE_OBJECT d = FltDriverObject->DeviceObject; d; d = d->NextDevice)
        n += ((PFILTER_EXTENSION)d->DeviceExtension)->IsVolume;
    return n;
}

/* The mounted volume's VCB (the FAT device that is not the control device), or NULL. */
static NTSTATUS UmEnsureUnmounted(void)
{
    return UmMounted() ? FsDismount() : STATUS_SUCCESS;
}

KTEST(fsunmount, dismount_deletes_both_devices_and_the_next_open_mounts_afresh)
{
    static UCHAR before[600], after[600], data[5000], back[5000];
    ULONG n1, n2, done;
    HANDLE h, v;
    FILTER_STATS f0, f1;
    PDRIVER_OBJECT fat = FatControlDevice->DriverObject;

    KT_STATUS(FsReadFile(L"\\HELLO.TXT", before, sizeof(before), &n1), STATUS_SUCCESS);
    FsPattern(data, sizeof(data), 61);
    KT_STATUS(FsWriteFile(L"\\UNMOUNT.BIN", data, sizeof(data)), STATUS_SUCCESS);
    KT_ASSERT(UmMounted());
    KT_EQ(UmCountDevices(fat), 2);         /* control + volume */
    KT_EQ(UmFilterVolumeDevices(), 1);

    /* Refused while a file is open; and only on a volume handle. */
    KT_STATUS(FsOpen(L"\\HELLO.TXT", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsDismount(), STATUS_ACCESS_DENIED);
    KT_STATUS(UmFsctl(h, FSCTL_DISMOUNT_VOLUME), STATUS_INVALID_PARAMETER);
    ZwClose(h);
    KT_ASSERT(UmMounted());

    FltGetStats(&f0);
    KT_STATUS(FsOpenVolume(&v), STATUS_SUCCESS);
    KT_STATUS(UmFsctl(v, FSCTL_DISMOUNT_VOLUME), STATUS_SUCCESS);
    KT_ASSERT(!UmMounted());               /* the disk has a fresh VPB at once */
    KT_EQ(UmCountDevices(fat), 2);         /* the volume waits for its last open */
    KT_STATUS(UmFsctl(v, FSCTL_DISMOUNT_VOLUME), STATUS_VOLUME_DISMOUNTED);
    ZwClose(v);
    FltGetStats(&f1);
    KT_EQ(UmCountDevices(fat), 1);         /* only \FileSystem\Fat is left */
    KT_EQ(UmFilterVolumeDevices(), 0);
    KT_EQ(f1.VolumesDetached - f0.VolumesDetached, 1);

    /* A fresh mount, the same bytes. */
    KT_STATUS(FsReadFile(L"\\HELLO.TXT", after, sizeof(after), &n2), STATUS_SUCCESS);
    KT_ASSERT(UmMounted());
    KT_EQ(n1, n2);
    KT_ASSERT(RtlEqualMemory(before, after, n1));
    KT_STATUS(FsReadFile(L"\\UNMOUNT.BIN", back, sizeof(back), &done), STATUS_SUCCESS);
    KT_EQ(done, sizeof(data));
    KT_ASSERT(RtlEqualMemory(data, back, sizeof(data)));
    KT_EQ(UmCountDevices(fat), 2);
    KT_EQ(UmFilterVolumeDevices(), 1);
    KT_STATUS(FsOpen(L"\\UNMOUNT.BIN", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsMarkDelete(h), STATUS_SUCCESS);
    ZwClose(h);
}

/* A volume handle kept open across the dismount: the old volume device lives on beside the
 * new mount (the old VPB went with it) until that handle closes. */
KTEST(fsunmount, old_volume_lingers_beside_a_new_mount_until_its_last_handle)
{
    static UCHAR buf[600];
    HANDLE v1, v2;
    ULONG n;
    PDRIVER_OBJECT fat = FatControlDevice->DriverObject;
    FILE_FS_SIZE_INFORMATION fs;
    IO_STATUS_BLOCK iosb;

    KT_STATUS(FsReadFile(L"\\HELLO.TXT", buf, sizeof(buf), &n), STATUS_SUCCESS);
    KT_STATUS(FsOpenVolume(&v1), STATUS_SUCCESS);
    KT_STATUS(FsOpenVolume(&v2), STATUS_SUCCESS);
    KT_STATUS(ZwQueryVolumeInformationFile(v2, &iosb, &fs, sizeof(fs), FileFsSizeInformation), STATUS_SUCCESS);
    KT_ASSERT(fs.TotalAllocationUnits.QuadPart > 0);
    KT_STATUS(UmFsctl(v1, FSCTL_DISMOUNT_VOLUME), STATUS_SUCCESS);
    ZwClose(v1);
    KT_EQ(UmCountDevices(fat), 2);         /* v2 still holds the old volume */
    KT_STATUS(ZwQueryVolumeInformationFile(v2, &iosb, &fs, sizeof(fs), FileFsSizeInformation),
              STATUS_VOLUME_DISMOUNTED);

    KT_STATUS(FsReadFile(L"\\HELLO.TXT", buf, sizeof(buf), &n), STATUS_SUCCESS); /* mounts again */
    KT_EQ(UmCountDevices(fat), 3);         /* control, old volume, new volume */
    KT_EQ(UmFilterVolumeDevices(), 2);
    ZwClose(v2);
    KT_EQ(UmCountDevices(fat), 2);
    KT_EQ(UmFilterVolumeDevices(), 1);
    KT_ASSERT(UmMounted());
    KT_STATUS(FsReadFile(L"\\HELLO.TXT", buf, sizeof(buf), &n), STATUS_SUCCESS);
}

/* Pool tags: the FAT engine's and FSD's, the filter's, and the I/O manager's for what those
 * requests use (IRPs, system buffers, MDLs, work items, file and device objects, VPBs,
 * unload-safe completion contexts). */
static const ULONG UmDriverTags[] = { FAT_TAG_VOLUME, FAT_TAG_FCB, FAT_TAG_BUFFER, FAT_TAG_TABLE, FSD_TAG, FLT_TAG };
static const ULONG UmIoTags[] = { ' prI', 'fbSI', 'ldMI', 'iwOI', 'lfOI', 'vdDI', IO_VPB_TAG, 'csUI' };

static PCSTR UmTagText(ULONG Tag)
{
    static CHAR t[5];
    for (ULONG i = 0; i < 4; i++)
        t[i] = (CHAR)(Tag >> (8 * i));
    return t;
}

static ULONG64 UmOutstanding(ULONG Tag)
{
    POOL_TAG_USAGE u;
    ExQueryPoolTagUsage(Tag, ~0u, &u);
    return u.Outstanding;
}

/* Create, write, read, list, rename, flush, delete; every handle closed at the end. */
static NTSTATUS UmWorkload(void)
{
    static UCHAR data[7000], back[7000];
    HANDLE h;
    ULONG done, count;
    BOOLEAN found;
    NTSTATUS s;
    FsPattern(data, sizeof(data), 17);
    s = FsOpen(L"\\UMDIR", FILE_OPEN_IF, FILE_DIRECTORY_FILE, &h, NULL);
    if (!NT_SUCCESS(s))
        return s;
    ZwClose(h);
    if (!NT_SUCCESS(s = FsWriteFile(L"\\UMDIR\\A long file name.bin", data, sizeof(data))) ||
        !NT_SUCCESS(s = FsReadFile(L"\\UMDIR\\A long file name.bin", back, sizeof(back), &done)))
        return s;
    if (done != sizeof(data) || !RtlEqualMemory(data, back, sizeof(data)))
        return STATUS_DATA_ERROR;
    if (!NT_SUCCESS(s = FsOpen(L"\\UMDIR\\A long file name.bin", FILE_OPEN, 0, &h, NULL)))
        return s;
    s = FsRename(h, L"B.BIN", FALSE);
    if (NT_SUCCESS(s))
        s = FsFlush(h);
    ZwClose(h);
    if (!NT_SUCCESS(s) || !NT_SUCCESS(s = FsCountEntries(L"\\UMDIR", &count, L"B.BIN", &found)))
        return s;
    if (!found)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    for (ULONG i = 0; i < 2; i++) {
        PCWSTR name = i ? L"\\UMDIR" : L"\\UMDIR\\B.BIN";
        if (!NT_SUCCESS(s = FsOpen(name, FILE_OPEN, 0, &h, NULL)))
            return s;
        s = FsMarkDelete(h);
        ZwClose(h);
        if (!NT_SUCCESS(s))
            return s;
    }
    return STATUS_SUCCESS;
}

KTEST(fsunmount, no_pool_left_on_driver_tags_after_unmount)
{
    ULONG64 io[ARRAYSIZE(UmIoTags)];
    PDRIVER_OBJECT fat = FatControlDevice->DriverObject;
    ULONG fltDevices;

    KT_STATUS(UmEnsureUnmounted(), STATUS_SUCCESS);
    KT_ASSERT(!UmMounted());
    for (ULONG i = 0; i < ARRAYSIZE(UmDriverTags); i++)
        KT_EQ(UmOutstanding(UmDriverTags[i]), 0);
    for (ULONG i = 0; i < ARRAYSIZE(UmIoTags); i++)
        io[i] = UmOutstanding(UmIoTags[i]);
    fltDevices = UmCountDevices(FltDriverObject);

    KT_STATUS(UmWorkload(), STATUS_SUCCESS); /* the first open mounts */
    KT_ASSERT(UmMounted());
    KT_ASSERT(UmOutstanding(FAT_TAG_VOLUME) > 0); /* the check does see a mounted volume */
    KT_ASSERT(UmOutstanding(' prI') == io[0]);     /* no IRP left between requests */
    KT_STATUS(FsDismount(), STATUS_SUCCESS);

    for (ULONG i = 0; i < ARRAYSIZE(UmDriverTags); i++) {
        if (UmOutstanding(UmDriverTags[i]))
            DbgPrint("  tag %s still has %llu blocks\n", UmTagText(UmDriverTags[i]), UmOutstanding(UmDriverTags[i]));
        KT_EQ(UmOutstanding(UmDriverTags[i]), 0);
    }
    for (ULONG i = 0; i < ARRAYSIZE(UmIoTags); i++) {
        if (UmOutstanding(UmIoTags[i]) != io[i])
            DbgPrint("  tag %s: %llu blocks before the mount, %llu after the unmount\n", UmTagText(UmIoTags[i]), io[i],
                     UmOutstanding(UmIoTags[i]));
        KT_EQ(UmOutstanding(UmIoTags[i]), io[i]);
    }
    KT_EQ(UmCountDevices(fat), 1);
    KT_EQ(fat->DeviceObject, FatControlDevice);
    KT_EQ(UmCountDevices(FltDriverObject), fltDevices);
    KT_EQ(UmFilterVolumeDevices(), 0);
}

/* Each wrapper below is one Zw call, tallied by the major function of the IRP it sends;
 * ZwClose of the only handle to a file sends IRP_MJ_CLEANUP and then IRP_MJ_CLOSE. */
static ULONG64 UmExpected[IRP_MJ_MAXIMUM_FUNCTION + 1];
static VOID UmTally(UCHAR Major) { UmExpected[Major]++; }
static VOID UmClose(HANDLE H)
{
    ZwClose(H);
    UmTally(IRP_MJ_CLEANUP);
    UmTally(IRP_MJ_CLOSE);
}
static NTSTATUS UmOpen(PCWSTR Path, ULONG Disposition, ULONG Options, PHANDLE H)
{
    UmTally(IRP_MJ_CREATE);
    return FsOpen(Path, Disposition, Options, H, NULL);
}

KTEST(fsunmount, every_irp_is_freed_and_finally_completed_exactly_once)
{
    static UCHAR data[65536 + 100], back[65536 + 100], dir[1024];
    IO_IRP_STATISTICS s0, s1;
    FILTER_STATS f;
    IO_STATUS_BLOCK iosb;
    HANDLE h, d;
    ULONG done;
    ULONG64 size, total = 0;

    KT_STATUS(FsReadFile(L"\\HELLO.TXT", back, 100, &done), STATUS_SUCCESS); /* mounted before the window */
    PFSD_VCB vcb = FsMountedVcb();
    KT_ASSERT(vcb != NULL);
    ULONG reads0 = vcb->ReadIrps, writes0 = vcb->WriteIrps;
    RtlZeroMemory(UmExpected, sizeof(UmExpected));
    FsPattern(data, sizeof(data), 5);
    FltResetStats();
    IoQueryIrpStatistics(&s0);

    /* non-cached: every transfer is one IRP of the I/O manager's (the cache suite counts the
     * cache manager's paging IRPs) */
    KT_STATUS(UmOpen(L"\\IRPS.BIN", FILE_OVERWRITE_IF, FILE_NON_DIRECTORY_FILE | FILE_NO_INTERMEDIATE_BUFFERING, &h),
              STATUS_SUCCESS);
    /* aligned 64 KiB (FAT sends associated IRPs), then a small write at the end of file */
    KT_STATUS(FsWriteAt(h, 0, data, 65536, &done), STATUS_SUCCESS);
    UmTally(IRP_MJ_WRITE);
    KT_STATUS(FsWriteAt(h, 65536, data + 65536, 100, &done), STATUS_SUCCESS);
    UmTally(IRP_MJ_WRITE);
    KT_STATUS(FsFlush(h), STATUS_SUCCESS); /* the filter posts it to a worker */
    UmTally(IRP_MJ_FLUSH_BUFFERS);
    KT_STATUS(FsReadAt(h, 0, back, sizeof(back), &done), STATUS_SUCCESS);
    UmTally(IRP_MJ_READ);
    KT_STATUS(FsReadAt(h, sizeof(data), back, 10, &done), STATUS_END_OF_FILE); /* failures count too */
    UmTally(IRP_MJ_READ);
    KT_STATUS(FsSize(h, &size), STATUS_SUCCESS);
    UmTally(IRP_MJ_QUERY_INFORMATION);
    KT_STATUS(FsRename(h, L"IRPS2.BIN", FALSE), STATUS_SUCCESS);
    UmTally(IRP_MJ_SET_INFORMATION);
    KT_STATUS(FsMarkDelete(h), STATUS_SUCCESS);
    UmTally(IRP_MJ_SET_INFORMATION);
    UmClose(h);
    KT_STATUS(UmOpen(L"\\NOPE.TXT", FILE_OPEN, 0, &h), STATUS_OBJECT_NAME_NOT_FOUND); /* no cleanup, no close */
    KT_STATUS(UmOpen(L"\\", FILE_OPEN, FILE_DIRECTORY_FILE, &d), STATUS_SUCCESS);
    KT_STATUS(ZwQueryDirectoryFile(d, NULL, NULL, NULL, &iosb, dir, sizeof(dir), FileDirectoryInformation, FALSE,
                                   NULL, TRUE),
              STATUS_SUCCESS);
    UmTally(IRP_MJ_DIRECTORY_CONTROL);
    UmClose(d);

    IoQueryIrpStatistics(&s1);
    FltGetStats(&f);
    KT_EQ(size, sizeof(data));
    KT_ASSERT(RtlEqualMemory(data, back, sizeof(data)));
    for (ULONG m = 0; m <= IRP_MJ_MAXIMUM_FUNCTION; m++) {
        KT_EQ(s1.TopLevelSent[m] - s0.TopLevelSent[m], UmExpected[m]);
        KT_EQ(s1.TopLevelCompleted[m] - s0.TopLevelCompleted[m], UmExpected[m]);
        KT_EQ(f.Requests[m], UmExpected[m]); /* the filter saw each request once */
        total += UmExpected[m];
    }
    /* The filter's completion routines (create, read, write, flush) ran once per request. */
    KT_EQ(f.Completions[IRP_MJ_CREATE], UmExpected[IRP_MJ_CREATE]);
    KT_EQ(f.Completions[IRP_MJ_READ], UmExpected[IRP_MJ_READ]);
    KT_EQ(f.Completions[IRP_MJ_WRITE], UmExpected[IRP_MJ_WRITE]);
    KT_EQ(f.Completions[IRP_MJ_FLUSH_BUFFERS], UmExpected[IRP_MJ_FLUSH_BUFFERS]);

    /* Besides one IRP per request, only FAT's own disk IRPs were allocated, and all were
     * freed. Those reach final completion at most once each (a second one is bug check
     * 0x44): associated IRPs and held-then-completed writes do, reads freed inside their
     * completion routine never do. */
    ULONG64 reads = vcb->ReadIrps - reads0, writes = vcb->WriteIrps - writes0;
    KT_ASSERT(reads > 0 && writes > 0);
    KT_EQ(s1.Allocated - s0.Allocated, total + reads + writes);
    KT_EQ(s1.Freed - s0.Freed, s1.Allocated - s0.Allocated);
    KT_EQ(s1.Outstanding, s0.Outstanding);
    KT_ASSERT(s1.FinalCompletions - s0.FinalCompletions >= total);
    KT_ASSERT(s1.FinalCompletions - s0.FinalCompletions <= total + reads + writes);
}

/* The counters see an IRP nobody freed. */
KTEST(fsunmount, irp_statistics_see_a_leaked_irp)
{
    IO_IRP_STATISTICS s0, s1, s2;
    IoQueryIrpStatistics(&s0);
    PIRP irp = IoAllocateIrp(2, FALSE);
    KT_ASSERT(irp != NULL);
    IoQueryIrpStatistics(&s1);
    KT_EQ(s1.Outstanding, s0.Outstanding + 1);
    IoFreeIrp(irp);
    IoQueryIrpStatistics(&s2);
    KT_EQ(s2.Outstanding, s0.Outstanding);
    KT_EQ(s2.FinalCompletions, s0.FinalCompletions);
}

/* A driver that rewinds a finished IRP's location and completes it again passes the
 * location check; the final-completion mark still catches it. */
KTEST_BUGCHECK(fsunmount, second_final_completion_of_one_irp, MULTIPLE_IRP_COMPLETE_REQUESTS)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoSetNextIrpStackLocation(irp); /* as if dispatched to a driver */
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    IoSetNextIrpStackLocation(irp);
    KtExpectBugCheck((ULONG_PTR)irp, 0, 0, 0);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}
