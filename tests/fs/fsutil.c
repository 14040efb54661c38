/* tests/fs/fsutil.c - the wrappers behind fsutil.h. Paths are volume-relative and get the
 * RAM disk's device name in front, as a Windows path names its volume device. */
#include "fsutil.h"
#include "../../kernel/ke/ki.h"
#include "../../drivers/fat/fsd.h"

NTSTATUS FsOpen(PCWSTR Path, ULONG Disposition, ULONG Options, PHANDLE Handle, PULONG_PTR Information)
{
    WCHAR full[300]; /* per call: two threads open at once (fslock) */
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    ULONG n = 0;
    for (PCWSTR p = FS_ROOT; *p; p++)
        full[n++] = *p;
    for (; *Path && n < 299; Path++)
        full[n++] = *Path;
    full[n] = 0;
    RtlInitUnicodeString(&name, full);
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    iosb.Information = 0;
    if (KiBootOptionPresent("fsnocache")) /* the fs suite's second boot: no cache, IRPs only */
        Options |= FILE_NO_INTERMEDIATE_BUFFERING;
    NTSTATUS s = ZwCreateFile(Handle, GENERIC_READ | GENERIC_WRITE | DELETE, &oa, &iosb, NULL, FILE_ATTRIBUTE_NORMAL,
                              FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, Disposition,
                              Options | FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0);
    if (Information)
        *Information = iosb.Information;
    return s;
}

NTSTATUS FsWriteAt(HANDLE H, LONGLONG Offset, const VOID *Buffer, ULONG Length, PULONG Done)
{
    IO_STATUS_BLOCK iosb = { 0 };
    LARGE_INTEGER off;
    off.QuadPart = Offset;
    NTSTATUS s = ZwWriteFile(H, NULL, NULL, NULL, &iosb, (PVOID)Buffer, Length, &off, NULL);
    if (Done)
        *Done = (ULONG)iosb.Information;
    return s;
}

NTSTATUS FsReadAt(HANDLE H, LONGLONG Offset, PVOID Buffer, ULONG Length, PULONG Done)
{
    IO_STATUS_BLOCK iosb = { 0 };
    LARGE_INTEGER off;
    off.QuadPart = Offset;
    NTSTATUS s = ZwReadFile(H, NULL, NULL, NULL, &iosb, Buffer, Length, &off, NULL);
    if (Done)
        *Done = (ULONG)iosb.Information;
    return s;
}

NTSTATUS FsSize(HANDLE H, PULONG64 Size)
{
    FILE_STANDARD_INFORMATION si;
    IO_STATUS_BLOCK iosb;
    NTSTATUS s = ZwQueryInformationFile(H, &iosb, &si, sizeof(si), FileStandardInformation);
    *Size = NT_SUCCESS(s) ? (ULONG64)si.EndOfFile.QuadPart : ~0ULL;
    return s;
}

NTSTATUS FsSetSize(HANDLE H, ULONG64 Size)
{
    FILE_END_OF_FILE_INFORMATION e;
    IO_STATUS_BLOCK iosb;
    e.EndOfFile.QuadPart = (LONGLONG)Size;
    return ZwSetInformationFile(H, &iosb, &e, sizeof(e), FileEndOfFileInformation);
}

NTSTATUS FsMarkDelete(HANDLE H)
{
    FILE_DISPOSITION_INFORMATION d = { TRUE };
    IO_STATUS_BLOCK iosb;
    return ZwSetInformationFile(H, &iosb, &d, sizeof(d), FileDispositionInformation);
}

NTSTATUS FsRename(HANDLE H, PCWSTR NewName, BOOLEAN Replace)
{
    static UCHAR buf[sizeof(FILE_RENAME_INFORMATION) + 512];
    PFILE_RENAME_INFORMATION r = (PVOID)buf;
    IO_STATUS_BLOCK iosb;
    ULONG n = 0;
    while (NewName[n])
        n++;
    RtlZeroMemory(buf, sizeof(buf));
    r->ReplaceIfExists = Replace;
    r->FileNameLength = n * sizeof(WCHAR);
    RtlCopyMemory(r->FileName, NewName, n * sizeof(WCHAR));
    return ZwSetInformationFile(H, &iosb, r, sizeof(FILE_RENAME_INFORMATION) + n * sizeof(WCHAR),
                                FileRenameInformation);
}

NTSTATUS FsFlush(HANDLE H)
{
    IO_STATUS_BLOCK iosb;
    return ZwFlushBuffersFile(H, &iosb);
}

static BOOLEAN FsSameName(PCWSTR Name, ULONG Bytes, PCWSTR Want)
{
    ULONG i = 0;
    for (; i < Bytes / 2 && Want[i]; i++)
        if (RtlUpcaseUnicodeChar(Name[i]) != RtlUpcaseUnicodeChar(Want[i]))
            return FALSE;
    return i == Bytes / 2 && !Want[i];
}

NTSTATUS FsCountEntries(PCWSTR Dir, PULONG Count, PCWSTR MustContain, PBOOLEAN Found)
{
    static UCHAR buf[2048];
    HANDLE h;
    IO_STATUS_BLOCK iosb;
    NTSTATUS s = FsOpen(Dir, FILE_OPEN, FILE_DIRECTORY_FILE, &h, NULL);
    *Count = 0;
    if (Found)
        *Found = FALSE;
    if (!NT_SUCCESS(s))
        return s;
    BOOLEAN restart = TRUE;
    for (;;) {
        s = ZwQueryDirectoryFile(h, NULL, NULL, NULL, &iosb, buf, sizeof(buf), FileDirectoryInformation, FALSE, NULL,
                                 restart);
        restart = FALSE;
        if (!NT_SUCCESS(s))
            break;
        for (PUCHAR p = buf;;) {
            PFILE_DIRECTORY_INFORMATION d = (PVOID)p;
            (*Count)++;
            if (Found && MustContain && FsSameName(d->FileName, d->FileNameLength, MustContain))
                *Found = TRUE;
            if (!d->NextEntryOffset)
                break;
            p += d->NextEntryOffset;
        }
    }
    ZwClose(h);
    return s == STATUS_NO_MORE_FILES ? STATUS_SUCCESS : s;
}

NTSTATUS FsWriteFile(PCWSTR Path, const VOID *Buffer, ULONG Length)
{
    HANDLE h;
    ULONG done;
    NTSTATUS s = FsOpen(Path, FILE_OVERWRITE_IF, FILE_NON_DIRECTORY_FILE, &h, NULL);
    if (!NT_SUCCESS(s))
        return s;
    s = Length ? FsWriteAt(h, 0, Buffer, Length, &done) : STATUS_SUCCESS;
    if (NT_SUCCESS(s) && Length && done != Length)
        s = STATUS_UNSUCCESSFUL;
    ZwClose(h);
    return s;
}

NTSTATUS FsReadFile(PCWSTR Path, PVOID Buffer, ULONG Length, PULONG Done)
{
    HANDLE h;
    NTSTATUS s = FsOpen(Path, FILE_OPEN, FILE_NON_DIRECTORY_FILE, &h, NULL);
    *Done = 0;
    if (!NT_SUCCESS(s))
        return s;
    s = FsReadAt(h, 0, Buffer, Length, Done);
    ZwClose(h);
    return s;
}

VOID FsPattern(PUCHAR Buffer, ULONG Length, ULONG Seed)
{
    ULONG x = Seed * 2654435761u + 1;
    for (ULONG i = 0; i < Length; i++) {
        x = x * 1103515245u + 12345u;
        Buffer[i] = (UCHAR)(x >> 16);
    }
}

/* A device control straight to the RAM disk (a direct device open, no file system). */
NTSTATUS FsDiskControl(ULONG IoControlCode, PVOID Output, ULONG OutputLength)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\RamDisk0");
    PFILE_OBJECT fo;
    PDEVICE_OBJECT dev;
    IO_STATUS_BLOCK iosb;
    KEVENT ev;
    NTSTATUS s = IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &fo, &dev);
    if (!NT_SUCCESS(s))
        return s;
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(IoControlCode, dev, NULL, 0, Output, OutputLength, FALSE, &ev, &iosb);
    s = irp ? IoCallDriver(dev, irp) : STATUS_INSUFFICIENT_RESOURCES;
    if (s == STATUS_PENDING) {
        KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL);
        s = iosb.Status;
    }
    ObDereferenceObject(fo);
    return s;
}

/* The volume itself: no file name, and rights beyond reading attributes (with only those it
 * would be a direct open of the disk, not of the file system). */
NTSTATUS FsOpenVolume(PHANDLE Handle)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(FS_ROOT);
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    return ZwCreateFile(Handle, GENERIC_READ | GENERIC_WRITE, &oa, &iosb, NULL, 0, FILE_SHARE_READ | FILE_SHARE_WRITE,
                        FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0);
}

/* Dismounts through a volume handle and closes it; the file system deletes the volume device
 * with that last close. */
NTSTATUS FsDismount(void)
{
    HANDLE h;
    IO_STATUS_BLOCK iosb;
    NTSTATUS s = FsOpenVolume(&h);
    if (!NT_SUCCESS(s))
        return s;
    s = ZwFsControlFile(h, NULL, NULL, NULL, &iosb, FSCTL_DISMOUNT_VOLUME, NULL, 0, NULL, 0);
    ZwClose(h);
    return s;
}

/* TRUE when some sector of the raw disk holds exactly Sector (512 bytes): read through the
 * disk device itself, below the file system and its cache. */
BOOLEAN FsDiskHoldsSector(const VOID *Sector)
{
    static UCHAR chunk[65536];
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\RamDisk0");
    GET_LENGTH_INFORMATION len;
    PFILE_OBJECT fo;
    PDEVICE_OBJECT dev;
    BOOLEAN found = FALSE;
    if (!NT_SUCCESS(FsDiskControl(IOCTL_DISK_GET_LENGTH_INFO, &len, sizeof(len))) ||
        !NT_SUCCESS(IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &fo, &dev)))
        return FALSE;
    for (LONGLONG off = 0; off < len.Length.QuadPart && !found; off += sizeof(chunk)) {
        IO_STATUS_BLOCK iosb;
        KEVENT ev;
        LARGE_INTEGER at;
        at.QuadPart = off;
        KeInitializeEvent(&ev, NotificationEvent, FALSE);
        PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_READ, dev, chunk, sizeof(chunk), &at, &ev, &iosb);
        NTSTATUS s = irp ? IoCallDriver(dev, irp) : STATUS_INSUFFICIENT_RESOURCES;
        if (s == STATUS_PENDING) {
            KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL);
            s = iosb.Status;
        }
        if (!NT_SUCCESS(s))
            break;
        for (ULONG i = 0; i < sizeof(chunk) && !found; i += 512)
            found = RtlEqualMemory(chunk + i, Sector, 512);
    }
    ObDereferenceObject(fo);
    return found;
}

struct _FSD_VCB *FsMountedVcb(void)
{
    for (PDEVICE_OBJECT d = FatControlDevice->DriverObject->DeviceObject; d; d = d->NextDevice)
        if (d != FatControlDevice && !((PFSD_VCB)d->DeviceExtension)->Dismounted)
            return d->DeviceExtension;
    return NULL;
}
