/* tests/demo/fsdemo.c - what `make run` shows after the IRQL and thread demos: a workload
 * through filter -> FAT -> RAM disk, one read traced down and up the stack with the IRQL of
 * every step, the filter's statistics, the unmount (devices deleted, driver pool back to zero,
 * every IRP freed), and the disk written back to the host. */
#include "../fs/fsutil.h"
#include "../../drivers/filter/filter.h"
#include "../../drivers/fat/fsd.h"
#include "../../drivers/ramdisk/ramdisk.h"

VOID KiRunIrqlDemo(void);
VOID KiRunThreadDemo(void);

static VOID DemopList(PCWSTR Dir)
{
    static UCHAR buf[2048];
    HANDLE h;
    IO_STATUS_BLOCK iosb;
    if (!NT_SUCCESS(FsOpen(Dir, FILE_OPEN, FILE_DIRECTORY_FILE, &h, NULL)))
        return;
    DbgPrint("  directory %S:\n", Dir);
    for (BOOLEAN restart = TRUE;; restart = FALSE) {
        if (!NT_SUCCESS(ZwQueryDirectoryFile(h, NULL, NULL, NULL, &iosb, buf, sizeof(buf), FileDirectoryInformation,
                                             FALSE, NULL, restart)))
            break;
        for (PUCHAR p = buf;; ) {
            PFILE_DIRECTORY_INFORMATION d = (PVOID)p;
            CHAR name[64];
            ULONG n = d->FileNameLength / 2 < 63 ? d->FileNameLength / 2 : 63;
            for (ULONG i = 0; i < n; i++)
                name[i] = d->FileName[i] < 128 ? (CHAR)d->FileName[i] : '?';
            name[n] = 0;
            DbgPrint("    %-28s %8llu bytes%s\n", name, d->EndOfFile.QuadPart,
                     (d->FileAttributes & FILE_ATTRIBUTE_DIRECTORY) ? "  <DIR>" : "");
            if (!d->NextEntryOffset)
                break;
            p += d->NextEntryOffset;
        }
    }
    ZwClose(h);
}

static ULONG DemopDevices(PDRIVER_OBJECT Driver, BOOLEAN FilterVolumesOnly)
{
    ULONG n = 0;
    for (PDEVICE_OBJECT d = Driver->DeviceObject; d; d = d->NextDevice)
        n += !FilterVolumesOnly || ((PFILTER_EXTENSION)d->DeviceExtension)->IsVolume;
    return n;
}

/* Dismount through a volume handle; its close deletes the FAT volume device, and the I/O
 * manager's FastIoDetachDevice call makes the filter delete its own above it. */
static VOID DemopUnmount(void)
{
    static const ULONG tags[] = { FAT_TAG_VOLUME, FAT_TAG_FCB, FAT_TAG_BUFFER, FAT_TAG_TABLE, FSD_TAG, FLT_TAG };
    PDRIVER_OBJECT fat = FatControlDevice->DriverObject;
    IO_IRP_STATISTICS irps;
    FILTER_STATS f;
    POOL_TAG_USAGE u;
    ULONG64 left = 0;

    DbgPrint("\n== Unmount: every handle is closed; FSCTL_DISMOUNT_VOLUME on a volume handle ==\n");
    DbgPrint("  before: FAT devices %u (control + volume), filter volume devices %u\n", DemopDevices(fat, FALSE),
             DemopDevices(FltDriverObject, TRUE));
    NTSTATUS s = FsDismount();
    FltGetStats(&f);
    DbgPrint("  dismount: 0x%08x; after the volume handle closed: FAT devices %u (\\FileSystem\\Fat only), "
             "filter volume devices %u (FastIoDetachDevice calls %llu)\n",
             (ULONG)s, DemopDevices(fat, FALSE), DemopDevices(FltDriverObject, TRUE), f.VolumesDetached);
    DbgPrint("  the volume device and the filter device were %s\n",
             DemopDevices(fat, FALSE) == 1 && DemopDevices(FltDriverObject, TRUE) == 0 ? "deleted" : "NOT deleted");
    DbgPrint("\n");
    ExDumpPoolUsage();
    DbgPrint("  outstanding on the FAT and filter tags:");
    for (ULONG i = 0; i < ARRAYSIZE(tags); i++) {
        CHAR t[5] = { (CHAR)tags[i], (CHAR)(tags[i] >> 8), (CHAR)(tags[i] >> 16), (CHAR)(tags[i] >> 24), 0 };
        ExQueryPoolTagUsage(tags[i], ~0u, &u);
        DbgPrint(" %s %llu", t, u.Outstanding);
        left += u.Outstanding;
    }
    DbgPrint(" -> %s\n", left ? "LEAKED" : "all back to zero");
    IoQueryIrpStatistics(&irps);
    DbgPrint("  IRPs since boot: %llu allocated, %llu freed, %llu outstanding, %llu final completions\n",
             irps.Allocated, irps.Freed, irps.Outstanding, irps.FinalCompletions);
}

static VOID DemopFileSystem(void)
{
    static UCHAR data[3000], back[3000];
    HANDLE h;
    ULONG done;
    RAMDISK_STATS rs;

    DbgPrint("\n== The driver stack: legacy filter -> FAT file system -> asynchronous RAM disk ==\n");
    DbgPrint("  opening \\Device\\RamDisk0\\HELLO.TXT mounts the volume:\n");
    if (!NT_SUCCESS(FsReadFile(L"\\HELLO.TXT", back, sizeof(back) - 1, &done))) {
        DbgPrint("  mount failed\n");
        return;
    }
    back[done] = 0;
    DbgPrint("  HELLO.TXT says: %s", (PCSTR)back);
    FltResetStats();
    FsOpen(L"\\DEMO", FILE_OPEN_IF, FILE_DIRECTORY_FILE, &h, NULL);
    ZwClose(h);
    FsPattern(data, sizeof(data), 42);
    DbgPrint("  create \\DEMO\\NOTES.TXT, write %u bytes: %s\n", (ULONG)sizeof(data),
             NT_SUCCESS(FsWriteFile(L"\\DEMO\\NOTES.TXT", data, sizeof(data))) ? "ok" : "FAILED");
    FsReadFile(L"\\DEMO\\NOTES.TXT", back, sizeof(back), &done);
    DbgPrint("  read it back: %u bytes, %s (a read from offset 0 continues \"where the last ended\", so FAT\n"
             "  served it from its read-ahead window and completed it at PASSIVE_LEVEL)\n",
             done, RtlEqualMemory(data, back, sizeof(data)) ? "identical" : "DIFFERENT");
    FsWriteFile(L"\\DEMO\\Second file with a long name.txt", "x", 1);
    DemopList(L"\\DEMO");
    if (NT_SUCCESS(FsOpen(L"\\DEMO\\NOTES.TXT", FILE_OPEN, 0, &h, NULL))) {
        DbgPrint("  rename NOTES.TXT -> RENAMED.TXT: 0x%08x\n", (ULONG)FsRename(h, L"RENAMED.TXT", FALSE));
        ZwClose(h);
    }
    if (NT_SUCCESS(FsOpen(L"\\DEMO\\Second file with a long name.txt", FILE_OPEN, 0, &h, NULL))) {
        DbgPrint("  delete the long-named file: 0x%08x\n", (ULONG)FsMarkDelete(h));
        FsFlush(h); /* the filter posts this one to a worker thread (case 2) */
        ZwClose(h);
    }
    DemopList(L"\\DEMO");

    DbgPrint("\n  One 512-byte read from the middle of a file, so it goes down to the disk. Each line is logged\n"
             "  when that call returns. The disk's interrupt arrived while its dispatch routine was still\n"
             "  running, so the completions (IRQL 2, in its DPC) are logged before the dispatch routines\n"
             "  return STATUS_PENDING (0x103):\n");
    if (NT_SUCCESS(FsOpen(L"\\DOCS\\NESTED\\NUMBERS.TXT", FILE_OPEN, 0, &h, NULL))) {
        ULONG seq = IoGetIrpTraceSequence();
        FsReadAt(h, 4096, back, 512, &done);
        IoDumpIrpTrace(IoGetIrpTraceSequence() - seq);
        ZwClose(h);
    }
    DbgPrint("  FAT sent the disk an associated IRP of the caller's IRP. The disk's ISR ran at DIRQL 5 and\n"
             "  queued a DPC; in the DPC the disk completed the associated IRP, FAT's completion routine ran,\n"
             "  the I/O manager completed the caller's IRP, and the filter's completion routine ran, all at\n"
             "  DISPATCH_LEVEL. A special kernel APC then finished the request in the reading thread.\n\n");
    FltDumpStats();
    if (NT_SUCCESS(FsDiskControl(IOCTL_RAMDISK_QUERY_STATS, &rs, sizeof(rs))))
        DbgPrint("RAM disk: %llu reads, %llu writes, %llu interrupts, %llu DPCs\n", rs.Reads, rs.Writes,
                 rs.Interrupts, rs.Dpcs);
    DemopUnmount();
    DbgPrint("\nWriting the disk back to the host (QEMU debugcon -> build/disk-out.img)...\n");
    FsDiskControl(IOCTL_RAMDISK_EXPORT_IMAGE, NULL, 0);
}

VOID DemoCompletionOnOtherProcessor(void); /* smpdemo.c: only with two or more processors */

/* Entered from KiSystemStartup when no test or bench was asked for. */
VOID KiRunDemo(void)
{
    KiRunIrqlDemo();
    DemopFileSystem();
    DemoCompletionOnOtherProcessor();
    DbgPrint("\nDemo done; powering off.\n");
}
