/* tests/bench/path_bench.c - where a 4 KiB read's instructions go: each layer of the file's
 * stack entered directly, top to bottom, for a warm cached read (fast I/O down to CcCopyRead)
 * and a non-cached one (an IRP down to the disk); the difference between rows is a layer. */
#include "../fs/fsutil.h"
#include <ntifs.h>
#include <arch/x86.h>

#define KBP_ROUNDS 2000
#define KBP_FILE (256u << 10) /* one cache view */
static UCHAR KbpBuf[4096], KbpDst[4096];

static VOID KbpRow(PCSTR Path, PCSTR Stage, PDEVICE_OBJECT Device, ULONG64 Ticks)
{
    char name[96], drv[40] = "from ";
    if (Device) { /* "from \Driver\Fat": the driver's name, narrowed */
        PUNICODE_STRING n = &Device->DriverObject->DriverName;
        ULONG i = 0;
        for (; i < n->Length / sizeof(WCHAR) && i + 6 < sizeof(drv); i++)
            drv[5 + i] = (char)n->Buffer[i];
        drv[5 + i] = 0;
        Stage = drv;
    }
    RtlpFormatString(name, sizeof(name), "%s: %s", Path, Stage);
    KtBenchReport(name, KBP_ROUNDS, Ticks);
}

/* Warm cached 4 KiB reads: ZwReadFile, then each device's FastIoRead, then CcCopyRead, then
 * the copy alone. Every read is of the same resident page. */
static VOID KbpCached(HANDLE H, PFILE_OBJECT Fo)
{
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER off = { .QuadPart = 8192 };
    ULONG done;
    ULONG64 t0 = __rdtsc();
    for (ULONG i = 0; i < KBP_ROUNDS; i++)
        FsReadAt(H, off.QuadPart, KbpDst, sizeof(KbpDst), &done);
    KbpRow("cached 4 KiB read", "ZwReadFile (handle, I/O manager, fast I/O try)", NULL, __rdtsc() - t0);
    for (PDEVICE_OBJECT d = IoGetRelatedDeviceObject(Fo), next; d; d = next) {
        PFAST_IO_DISPATCH f = d->DriverObject->FastIoDispatch;
        next = IoGetLowerDeviceObject(d);
        if (f && f->FastIoRead) {
            t0 = __rdtsc();
            for (ULONG i = 0; i < KBP_ROUNDS; i++)
                f->FastIoRead(Fo, &off, sizeof(KbpDst), TRUE, 0, KbpDst, &iosb, d);
            KbpRow("cached 4 KiB read", NULL, d, __rdtsc() - t0);
        }
        if (next)
            ObDereferenceObject(next);
    }
    t0 = __rdtsc();
    for (ULONG i = 0; i < KBP_ROUNDS; i++)
        CcCopyRead(Fo, &off, sizeof(KbpDst), TRUE, KbpDst, &iosb);
    KbpRow("cached 4 KiB read", "CcCopyRead", NULL, __rdtsc() - t0);
    t0 = __rdtsc();
    for (ULONG i = 0; i < KBP_ROUNDS; i++)
        RtlCopyMemory(KbpDst, KbpBuf, sizeof(KbpDst));
    KbpRow("cached 4 KiB read", "memcpy 4 KiB", NULL, __rdtsc() - t0);
}

static NTSTATUS KbpIrpRead(PDEVICE_OBJECT Device, PFILE_OBJECT Fo, LONGLONG Offset)
{
    IO_STATUS_BLOCK iosb = { 0 };
    KEVENT ev;
    LARGE_INTEGER off = { .QuadPart = Offset };
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_READ, Device, KbpDst, sizeof(KbpDst), &off, &ev, &iosb);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    IoGetNextIrpStackLocation(irp)->FileObject = Fo;
    if (Fo && (Fo->Flags & FO_NO_INTERMEDIATE_BUFFERING))
        irp->Flags |= IRP_NOCACHE; /* as the I/O manager marks a read on such a handle */
    NTSTATUS s = IoCallDriver(Device, irp);
    if (s == STATUS_PENDING) {
        KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL);
        s = iosb.Status;
    }
    return s;
}

/* Non-cached 4 KiB reads: ZwReadFile, then an IRP built here sent to each device of the
 * file's stack, then one straight to the disk (the file's own first sectors: same size). */
static VOID KbpNonCached(HANDLE H, PFILE_OBJECT Fo)
{
    ULONG done;
    ULONG64 t0 = __rdtsc();
    for (ULONG i = 0; i < KBP_ROUNDS; i++)
        FsReadAt(H, 8192, KbpDst, sizeof(KbpDst), &done);
    KbpRow("non-cached 4 KiB read", "ZwReadFile (handle, I/O manager, IRP)", NULL, __rdtsc() - t0);
    PDEVICE_OBJECT volume = Fo->Vpb ? Fo->Vpb->DeviceObject : NULL;
    for (PDEVICE_OBJECT d = IoGetRelatedDeviceObject(Fo), next; d; d = next) {
        next = d == volume ? NULL : IoGetLowerDeviceObject(d);
        t0 = __rdtsc();
        for (ULONG i = 0; i < KBP_ROUNDS; i++)
            KbpIrpRead(d, Fo, 8192);
        KbpRow("non-cached 4 KiB read", NULL, d, __rdtsc() - t0);
        if (next)
            ObDereferenceObject(next);
    }
    if (volume && volume->Vpb && volume->Vpb->RealDevice) {
        PDEVICE_OBJECT disk = volume->Vpb->RealDevice;
        t0 = __rdtsc();
        for (ULONG i = 0; i < KBP_ROUNDS; i++)
            KbpIrpRead(disk, NULL, 8192);
        KbpRow("non-cached 4 KiB read", NULL, disk, __rdtsc() - t0);
    }
}

KBENCH_DEFINE(path_breakdown)
{
    HANDLE h;
    PFILE_OBJECT fo;
    ULONG done;
    FsPattern(KbpBuf, sizeof(KbpBuf), 9);
    if (!NT_SUCCESS(FsOpen(L"\\PATHBNCH.BIN", FILE_OVERWRITE_IF, 0, &h, NULL)))
        return;
    for (ULONG off = 0; off < KBP_FILE; off += sizeof(KbpBuf))
        FsWriteAt(h, off, KbpBuf, sizeof(KbpBuf), &done);
    FsReadAt(h, 8192, KbpDst, sizeof(KbpDst), &done); /* resident, and the cache map is set up */
    if (NT_SUCCESS(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, (PVOID *)&fo, NULL))) {
        KbpCached(h, fo);
        ObDereferenceObject(fo);
    }
    ZwClose(h);
    if (!NT_SUCCESS(FsOpen(L"\\PATHBNCH.BIN", FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL)))
        return;
    if (NT_SUCCESS(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, (PVOID *)&fo, NULL))) {
        KbpNonCached(h, fo);
        ObDereferenceObject(fo);
    }
    ZwClose(h);
}
