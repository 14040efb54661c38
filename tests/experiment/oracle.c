/* tests/experiment/oracle.c - the fsstress oracle: no error without an injected fault, data
 * read back equal to the model (before and after a remount), nothing left behind after the
 * unmount (driver pool tags, IRPs), and the disk exported for fsck.fat on the host. */
#include "exp.h"
#include <irqlab/ramctl.h>
#include <stdarg.h>

int RtlpFormat(char *buf, size_t size, const char *fmt, va_list ap);

VOID ExpFail(PCSTR Check, PCSTR Detail, ...)
{
    CHAR line[160];
    va_list ap;
    va_start(ap, Detail);
    RtlpFormat(line, sizeof(line), Detail, ap);
    va_end(ap);
    DbgPrint("EXP-CHECK-FAIL %s %s\n", Check, line);
    if (!Exp.FirstFailure[0])
        RtlStringCbPrintfA(Exp.FirstFailure, sizeof(Exp.FirstFailure), "%s", Check);
}

VOID ExpRequestFailed(PCSTR Op, PCWSTR Path, NTSTATUS Status, ULONG64 FaultsBefore)
{
    Exp.Errors++;
    if (VfFaultCount() == FaultsBefore)
        return ExpFail("error-without-fault", "%s %S: 0x%08x with no fault injected", Op, Path, (ULONG)Status);
    DbgPrint("EXP-ERROR %s %S 0x%08x\n", Op, Path, (ULONG)Status);
}

ULONG ExpCrc32(const UCHAR *Data, ULONG Length)
{
    ULONG c = ~0u;
    for (ULONG i = 0; i < Length; i++) {
        c ^= Data[i];
        for (ULONG k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

VOID ExpVerifyAll(PCSTR When)
{
    static UCHAR back[EXP_MAX_SIZE + 512];
    for (ULONG i = 0; i < EXP_SLOTS; i++) {
        EXP_FILE *f = &Exp.Files[i];
        HANDLE h;
        ULONG done = 0;
        ULONG64 size;
        if (f->Unknown || !(f->Dir < 0 || (Exp.DirExists[f->Dir] && !Exp.DirUnknown[f->Dir])))
            continue;
        NTSTATUS s = FsOpen(f->Path, FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL);
        if (!f->Exists) {
            if (NT_SUCCESS(s)) {
                ZwClose(h);
                ExpFail("deleted-file-exists", "%s: %S", When, f->Path);
            }
            continue;
        }
        if (!NT_SUCCESS(s)) {
            ExpFail("file-lost", "%s: %S: 0x%08x", When, f->Path, (ULONG)s);
            continue;
        }
        s = FsSize(h, &size);
        if (NT_SUCCESS(s) && size != f->Size)
            ExpFail("size", "%s: %S is %llu bytes, model says %u", When, f->Path, size, f->Size);
        if (f->Size) {
            s = FsReadAt(h, 0, back, sizeof(back), &done);
            if (!NT_SUCCESS(s) || done != f->Size || !RtlEqualMemory(back, f->Data, f->Size))
                ExpFail("data", "%s: %S (0x%08x, %u of %u bytes) differs from the model", When, f->Path, (ULONG)s,
                        done, f->Size);
        }
        ZwClose(h);
    }
}

/* Behind FAT's back: find the first known file's first sector on the raw disk and change one
 * byte of it (of every sector that holds it). The oracle must then say `corrupt` (tests/host/vf_oracle.sh). */
static VOID ExpPlantCorruption(void)
{
    static UCHAR sector[512];
    UNICODE_STRING n = RTL_CONSTANT_STRING(L"\\Device\\RamDisk0");
    PFILE_OBJECT fo;
    PDEVICE_OBJECT disk;
    EXP_FILE *f = NULL;
    for (ULONG i = 0; i < EXP_SLOTS && !f; i++)
        if (Exp.Files[i].Exists && !Exp.Files[i].Unknown && Exp.Files[i].Size >= 512)
            f = &Exp.Files[i];
    if (!f || !NT_SUCCESS(IoGetDeviceObjectPointer(&n, FILE_READ_DATA, &fo, &disk))) {
        DbgPrint("EXP-PLANT nothing to corrupt\n");
        return;
    }
    GET_LENGTH_INFORMATION len = { 0 };
    FsDiskControl(IOCTL_DISK_GET_LENGTH_INFO, &len, sizeof(len));
    ULONG planted = 0;
    for (LONGLONG off = 0; off < len.Length.QuadPart; off += 512) {
        KEVENT ev;
        IO_STATUS_BLOCK iosb;
        LARGE_INTEGER o = { .QuadPart = off };
        for (ULONG pass = 0; pass < 2; pass++) {
            KeInitializeEvent(&ev, NotificationEvent, FALSE);
            PIRP irp = IoBuildSynchronousFsdRequest(pass ? IRP_MJ_WRITE : IRP_MJ_READ, disk, sector, 512, &o, &ev, &iosb);
            if (irp && IoCallDriver(disk, irp) == STATUS_PENDING)
                KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL);
            if (pass || !RtlEqualMemory(sector, f->Data, 512))
                break;
            sector[100] ^= 0x5A;
            planted++; /* every copy: a stale one (a freed cluster) may precede the file's own */
            DbgPrint("EXP-PLANT %S: byte 100 of disk sector %llu changed\n", f->Path, off / 512);
        }
    }
    if (!planted) /* the runner test then fails: the oracle cannot see a corruption never made */
        DbgPrint("EXP-PLANT %S: no disk sector holds its first 512 bytes\n", f->Path);
    ObDereferenceObject(fo);
}

static ULONG64 ExpOutstanding(ULONG Tag)
{
    POOL_TAG_USAGE u;
    ExQueryPoolTagUsage(Tag, ~0u, &u);
    return u.Outstanding;
}

/* IRPs, MDLs, work items, file objects (so handles), device objects, IoSetCompletionRoutineEx
 * contexts: as many after the unmount as before the mount. */
static const ULONG ExpIoTags[6] = { ' prI', 'ldMI', 'iwOI', 'lfOI', 'vdDI', 'csUI' };
VOID ExpRecordIoTags(void)
{
    for (ULONG i = 0; i < ARRAYSIZE(ExpIoTags); i++)
        Exp.IoTagsAtStart[i] = ExpOutstanding(ExpIoTags[i]);
}

VOID ExpFinalChecks(BOOLEAN Plant)
{
    /* the FAT driver's and the filter's tags: FatV FatF FatB FatT, FFsd, IFlt */
    static const ULONG tags[] = { 'VtaF', 'FtaF', 'BtaF', 'TtaF', 'dsFF', 'tlFI' };
    IO_IRP_STATISTICS irps;
    ExpVerifyAll("before-unmount");
    NTSTATUS s = FsDismount();
    if (!NT_SUCCESS(s))
        ExpFail("unmount", "FSCTL_DISMOUNT_VOLUME: 0x%08x", (ULONG)s);
    if (Plant)
        ExpPlantCorruption();
    ExpVerifyAll("after-remount");
    s = FsDismount();
    if (!NT_SUCCESS(s))
        ExpFail("unmount", "second FSCTL_DISMOUNT_VOLUME: 0x%08x", (ULONG)s);
    for (ULONG i = 0; i < ARRAYSIZE(tags); i++)
        if (ExpOutstanding(tags[i]))
            ExpFail("leak", "pool tag %c%c%c%c: %llu blocks after unmount", (CHAR)tags[i], (CHAR)(tags[i] >> 8),
                    (CHAR)(tags[i] >> 16), (CHAR)(tags[i] >> 24), ExpOutstanding(tags[i]));
    for (ULONG i = 0; i < ARRAYSIZE(ExpIoTags); i++)
        if (ExpOutstanding(ExpIoTags[i]) != Exp.IoTagsAtStart[i])
            ExpFail("leak", "pool tag %c%c%c%c: %llu blocks before the mount, %llu after the unmount",
                    (CHAR)ExpIoTags[i], (CHAR)(ExpIoTags[i] >> 8), (CHAR)(ExpIoTags[i] >> 16),
                    (CHAR)(ExpIoTags[i] >> 24), Exp.IoTagsAtStart[i], ExpOutstanding(ExpIoTags[i]));
    IoQueryIrpStatistics(&irps);
    DbgPrint("EXP-IRPS allocated=%llu freed=%llu final_completions=%llu\n", irps.Allocated, irps.Freed,
             irps.FinalCompletions);
    FsDiskControl(IOCTL_RAMDISK_EXPORT_IMAGE, NULL, 0);
}
