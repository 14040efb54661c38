/* tests/demo/fsdemo.c - what `make run` shows after the IRQL and thread demos: a workload
 * through filter -> FAT -> RAM disk on any FAT volume (it creates the files it needs), one
 * read traced in the order it happened, the filter's statistics, the unmount, and the disk
 * and the IRP trace written back to the host. */
#include "demo.h"
#include "../../drivers/filter/filter.h"
#include "../../drivers/ramdisk/ramdisk.h"

static const CHAR DemopHello[] = "Hello from IRQLab: this file went down filter -> FAT -> RAM disk.\n";

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
            DbgPrint("    %-34s %8llu bytes%s\n", name, d->EndOfFile.QuadPart,
                     (d->FileAttributes & FILE_ATTRIBUTE_DIRECTORY) ? "  <DIR>" : "");
            if (!d->NextEntryOffset)
                break;
            p += d->NextEntryOffset;
        }
    }
    ZwClose(h);
}

/* \DOCS\NESTED\NUMBERS.TXT: 8 KiB of numbered lines, so a read in its middle reaches the disk. */
static NTSTATUS DemopMakeNumbers(void)
{
    static CHAR text[8192];
    HANDLE h;
    for (ULONG i = 0; i < sizeof(text) / 9; i++) {
        RtlStringCbPrintfA(text + 9 * i, 10, "%08u", i);
        text[9 * i + 8] = '\n';
    }
    FsOpen(L"\\DOCS", FILE_OPEN_IF, FILE_DIRECTORY_FILE, &h, NULL) == STATUS_SUCCESS ? ZwClose(h) : 0;
    FsOpen(L"\\DOCS\\NESTED", FILE_OPEN_IF, FILE_DIRECTORY_FILE, &h, NULL) == STATUS_SUCCESS ? ZwClose(h) : 0;
    return FsWriteFile(L"\\DOCS\\NESTED\\NUMBERS.TXT", text, sizeof(text) / 9 * 9);
}

/* Opens HELLO.TXT, which mounts the volume. On a disk that is not FAT, says so in one line and
 * returns FALSE; on an empty FAT volume, creates the two files the workload reads. */
BOOLEAN DemoMount(void)
{
    static UCHAR back[256];
    ULONG done;
    HANDLE h;
    DbgPrint("  opening \\Device\\RamDisk0\\HELLO.TXT mounts the volume:\n");
    NTSTATUS s = FsReadFile(L"\\HELLO.TXT", back, sizeof(back) - 1, &done);
    if (s == STATUS_OBJECT_NAME_NOT_FOUND) {
        DbgPrint("  HELLO.TXT is not there (%s): creating it\n", DemoStatus(s));
        s = FsWriteFile(L"\\HELLO.TXT", DemopHello, sizeof(DemopHello) - 1);
        if (NT_SUCCESS(s))
            s = FsReadFile(L"\\HELLO.TXT", back, sizeof(back) - 1, &done);
    }
    if (!NT_SUCCESS(s)) {
        DbgPrint("DEMO: cannot use the disk: %s (0x%08x)%s\n", DemoStatus(s), (ULONG)s,
                 s == STATUS_UNRECOGNIZED_VOLUME ? ", no file system recognised it as FAT" : "");
        return FALSE;
    }
    back[done] = 0;
    DbgPrint("  HELLO.TXT says: %s%s", (PCSTR)back, done && back[done - 1] == '\n' ? "" : "\n");
    s = FsOpen(L"\\DOCS\\NESTED\\NUMBERS.TXT", FILE_OPEN, 0, &h, NULL);
    if (NT_SUCCESS(s))
        ZwClose(h);
    else
        DbgPrint("  \\DOCS\\NESTED\\NUMBERS.TXT is not there: creating it: %s\n", DemoStatus(DemopMakeNumbers()));
    return TRUE;
}

static VOID DemopWorkload(void)
{
    static UCHAR data[3000], back[3000];
    HANDLE h;
    ULONG done;

    FsOpen(L"\\DEMO", FILE_OPEN_IF, FILE_DIRECTORY_FILE, &h, NULL) == STATUS_SUCCESS ? ZwClose(h) : 0;
    FsPattern(data, sizeof(data), 42);
    DbgPrint("  create \\DEMO\\NOTES.TXT, write %u bytes: %s\n", (ULONG)sizeof(data),
             DemoStatus(FsWriteFile(L"\\DEMO\\NOTES.TXT", data, sizeof(data))));
    FsReadFile(L"\\DEMO\\NOTES.TXT", back, sizeof(back), &done);
    DbgPrint("  read it back: %u bytes, %s. A read from offset 0 continues \"where the last\n"
             "  ended\", so FAT served it from its read-ahead window, at PASSIVE_LEVEL.\n",
             done, RtlEqualMemory(data, back, sizeof(data)) ? "identical" : "DIFFERENT");
    FsWriteFile(L"\\DEMO\\Second file with a long name.txt", "x", 1);
    DemopList(L"\\DEMO");
    if (NT_SUCCESS(FsOpen(L"\\DEMO\\NOTES.TXT", FILE_OPEN, 0, &h, NULL))) {
        DbgPrint("  rename NOTES.TXT -> RENAMED.TXT: %s\n", DemoStatus(FsRename(h, L"RENAMED.TXT", TRUE)));
        ZwClose(h);
    }
    if (NT_SUCCESS(FsOpen(L"\\DEMO\\Second file with a long name.txt", FILE_OPEN, 0, &h, NULL))) {
        DbgPrint("  delete the long-named file: %s\n", DemoStatus(FsMarkDelete(h)));
        FsFlush(h); /* the filter posts this one to a worker thread (case 2) */
        ZwClose(h);
    }
    DemopList(L"\\DEMO");
    DemoNotice("every line above was a real IRP down filter -> FAT -> RAM disk and back up.");
}

VOID DemoFileSystem(void)
{
    RAMDISK_STATS rs;
    ULONG first = IoGetIrpTraceSequence();

    DemoSection("The driver stack: legacy filter -> FAT file system -> asynchronous RAM disk");
    if (!DemoMount())
        return;
    DemopWorkload();

    DemoSection("One 512-byte read from the middle of a file, so it goes down to the disk");
    DemoJourney(L"\\DOCS\\NESTED\\NUMBERS.TXT", 4096);
    DemoNotice("FAT split the read into an associated IRP; the disk's DPC completed it, and the\n"
               "  caller's IRP with it, at DISPATCH_LEVEL; the reading thread got the data by an APC.");

    DemoSection("The filter's statistics, since the driver started (from its completion routines)");
    FltDumpStats();
    if (NT_SUCCESS(FsDiskControl(IOCTL_RAMDISK_QUERY_STATS, &rs, sizeof(rs))))
        DbgPrint("  RAM disk: %llu reads, %llu writes, %llu interrupts, %llu DPCs\n", rs.Reads, rs.Writes,
                 rs.Interrupts, rs.Dpcs);
    DemoNotice("completions of disk reads and writes ran at DISPATCH_LEVEL; creates at PASSIVE.");

    DemoFilterManager();
    DemoUnmount();
    DbgPrint("\nWriting the disk back to the host (QEMU debugcon -> build/disk-out.img)...\n");
    FsDiskControl(IOCTL_RAMDISK_EXPORT_IMAGE, NULL, 0);
    DbgPrint("Writing the IRP trace to the host (COM2 -> build/irp-trace.jsonl)...\n");
    IoExportIrpTrace(first);
}
