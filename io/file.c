/* io/file.c - file objects and the Zw file calls kernel code uses: each builds an IRP for
 * the top of the file's device stack (mounting a volume first if needed), sends it and
 * waits if it was pended. Every call is synchronous for its caller. */
#include "fastio.h"
#include "obhandle.h"

static VOID IopCloseFile(PVOID Object, LONG HandlesLeft);
static VOID IopDeleteFile(PVOID Object);
OBJECT_TYPE IopFileType = { "File", 'lfOI', IopDeleteFile, IopCloseFile };
static POBJECT_TYPE IopFileTypePointer = &IopFileType;
POBJECT_TYPE *IoFileObjectType = &IopFileTypePointer;
#define IOP_FO_OPENED 0x80000000u /* the create succeeded: cleanup and close are owed */

static LIST_ENTRY IopFileSystems = { &IopFileSystems, &IopFileSystems };
typedef struct _IOP_FS_ENTRY { LIST_ENTRY Link; PDEVICE_OBJECT Device; } IOP_FS_ENTRY;

/* IRQL <= DISPATCH_LEVEL. Where requests on this file go: the mounted volume's stack, or the
 * device's own. */
PDEVICE_OBJECT IoGetRelatedDeviceObject(PFILE_OBJECT FileObject)
{
    if (FileObject->Vpb && FileObject->Vpb->DeviceObject)
        return IopTopOfStack(FileObject->Vpb->DeviceObject);
    return IopTopOfStack(FileObject->DeviceObject);
}

/* Sends an I/O-manager-owned IRP and waits for it if pended. The status comes from the
 * dispatch routine, or from the IOSB once a pended request has finished. */
static NTSTATUS IopSendAndWait(PDEVICE_OBJECT Target, PIRP Irp, PFILE_OBJECT File, PIO_STATUS_BLOCK Iosb)
{
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    Irp->UserEvent = &event;
    Irp->UserIosb = Iosb;
    Irp->Tail.Overlay.OriginalFileObject = File;
    Irp->Tail.Overlay.Thread = KeGetCurrentThread();
    Irp->Flags |= IRP_SYNCHRONOUS_API;
    Irp->IopState |= IOP_IRP_OWNED_BY_IO | IOP_IRP_TOP_LEVEL;
    IoGetNextIrpStackLocation(Irp)->FileObject = File;
    IopCount(TopLevelSent[IoGetNextIrpStackLocation(Irp)->MajorFunction]);
    UCHAR major = IoGetNextIrpStackLocation(Irp)->MajorFunction;
    NTSTATUS st = IoCallDriver(Target, Irp);
    if (st == STATUS_PENDING) {
        if (VfSiteArmed(VfSiteCancel)) /* fault=cancel (kernel/vf): IoCancelIrp on it meanwhile */
            VfCancelInFlight(Irp, major, &event, __builtin_return_address(0));
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        st = Iosb->Status;
    }
    return st;
}

static NTSTATUS IopSimpleRequest(PFILE_OBJECT File, UCHAR Major)
{
    IO_STATUS_BLOCK iosb;
    PDEVICE_OBJECT target = IoGetRelatedDeviceObject(File);
    PIRP irp = IoAllocateIrp(target->StackSize, FALSE);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    IoGetNextIrpStackLocation(irp)->MajorFunction = Major;
    if (Major == IRP_MJ_CLOSE)
        irp->Flags |= IRP_CLOSE_OPERATION;
    return IopSendAndWait(target, irp, File, &iosb);
}

static VOID IopCloseFile(PVOID Object, LONG HandlesLeft)
{
    PFILE_OBJECT f = Object;
    if (HandlesLeft == 0 && (f->Flags & IOP_FO_OPENED)) {
        IopSimpleRequest(f, IRP_MJ_CLEANUP);
        f->Flags |= FO_CLEANUP_COMPLETE;
    }
}

static KSPIN_LOCK IopVpbLock;

/* IRQL <= DISPATCH_LEVEL. */
VOID IoAcquireVpbSpinLock(PKIRQL Irql) { KeAcquireSpinLock(&IopVpbLock, Irql); }
VOID IoReleaseVpbSpinLock(KIRQL Irql) { KeReleaseSpinLock(&IopVpbLock, Irql); }

/* A file on a volume is gone. A VPB the file system swapped out at dismount (its storage
 * device has a new one) is freed with its last file, as Windows' IopDereferenceVpbAndFree. */
static VOID IopDereferenceVpb(PVPB Vpb)
{
    KIRQL old;
    IoAcquireVpbSpinLock(&old);
    BOOLEAN free = --Vpb->ReferenceCount == 0 && Vpb->RealDevice->Vpb != Vpb;
    IoReleaseVpbSpinLock(old);
    if (free)
        ExFreePoolWithTag(Vpb, IO_VPB_TAG);
}

static VOID IopDeleteFile(PVOID Object)
{
    PFILE_OBJECT f = Object;
    if (f->Flags & IOP_FO_OPENED)
        IopSimpleRequest(f, IRP_MJ_CLOSE);
    if (f->Vpb)
        IopDereferenceVpb(f->Vpb);
    if (f->Flags & IOP_FO_OPENED)
        IopDeviceClosed(f->DeviceObject);
    ObDereferenceObject(f->DeviceObject);
}

/* Legacy filters that asked to hear about file systems (IoRegisterFsRegistrationChange). */
#define IOP_MAX_FS_NOTIFY 4
static struct { PDRIVER_OBJECT Driver; PDRIVER_FS_NOTIFICATION Routine; } IopFsNotify[IOP_MAX_FS_NOTIFY];

/* PASSIVE_LEVEL. File systems offer themselves for mounting; registered filters are told. */
VOID IoRegisterFileSystem(PDEVICE_OBJECT DeviceObject)
{
    IOP_FS_ENTRY *e = ExAllocatePoolWithTag(NonPagedPool, sizeof(*e), 'sfOI');
    if (!e)
        return;
    ObReferenceObject(DeviceObject);
    e->Device = DeviceObject;
    InsertTailList(&IopFileSystems, &e->Link);
    for (ULONG i = 0; i < IOP_MAX_FS_NOTIFY; i++)
        if (IopFsNotify[i].Routine)
            IopFsNotify[i].Routine(DeviceObject, TRUE);
}

/* PASSIVE_LEVEL. The routine is called at once for every file system already registered,
 * then for each one that registers later, as Windows does for legacy filters. */
NTSTATUS IoRegisterFsRegistrationChange(PDRIVER_OBJECT DriverObject, PDRIVER_FS_NOTIFICATION DriverNotificationRoutine)
{
    for (ULONG i = 0; i < IOP_MAX_FS_NOTIFY; i++) {
        if (!IopFsNotify[i].Routine) {
            IopFsNotify[i].Driver = DriverObject;
            IopFsNotify[i].Routine = DriverNotificationRoutine;
            for (PLIST_ENTRY l = IopFileSystems.Flink; l != &IopFileSystems; l = l->Flink)
                DriverNotificationRoutine(CONTAINING_RECORD(l, IOP_FS_ENTRY, Link)->Device, TRUE);
            return STATUS_SUCCESS;
        }
    }
    return STATUS_INSUFFICIENT_RESOURCES;
}

/* PASSIVE_LEVEL. */
VOID IoUnregisterFileSystem(PDEVICE_OBJECT DeviceObject)
{
    for (PLIST_ENTRY l = IopFileSystems.Flink; l != &IopFileSystems; l = l->Flink) {
        IOP_FS_ENTRY *e = CONTAINING_RECORD(l, IOP_FS_ENTRY, Link);
        if (e->Device == DeviceObject) {
            RemoveEntryList(l);
            ObDereferenceObject(DeviceObject);
            ExFreePoolWithTag(e, 'sfOI');
            return;
        }
    }
}

/* Mounts are serialised, as Windows' IopMountVolume does with the device's DeviceLock: two
 * threads opening files on an unmounted volume at once must not both mount it (each file
 * system instance would keep its own FAT and directory cache of one disk: cross-linked files).
 * One system-wide event, made on first use (boot is single-threaded then). */
static KEVENT IopMountLock;
static volatile LONG IopMountLockReady;

static VOID IopLockMounts(void)
{
    if (InterlockedCompareExchange(&IopMountLockReady, 1, 0) == 0) {
        KeInitializeEvent(&IopMountLock, SynchronizationEvent, TRUE);
        InterlockedExchange(&IopMountLockReady, 2);
    }
    while (IopMountLockReady != 2)
        _mm_pause();
    KeEnterCriticalRegion();
    KeWaitForSingleObject(&IopMountLock, Executive, KernelMode, FALSE, NULL);
}

static VOID IopUnlockMounts(void)
{
    KeSetEvent(&IopMountLock, IO_NO_INCREMENT, FALSE);
    KeLeaveCriticalRegion();
}

/* Offers the volume on Device to each registered file system (IRP_MN_MOUNT_VOLUME) until
 * one takes it and sets Vpb->DeviceObject to its volume device. */
static NTSTATUS IopMountVolume(PDEVICE_OBJECT Device)
{
    /* A file system that recognised the volume but found it damaged says so (e.g.
     * STATUS_DISK_CORRUPT_ERROR); that answer wins over "nobody recognised it". */
    NTSTATUS refusal = STATUS_UNRECOGNIZED_VOLUME;
    for (PLIST_ENTRY l = IopFileSystems.Flink; l != &IopFileSystems; l = l->Flink) {
        PDEVICE_OBJECT fs = CONTAINING_RECORD(l, IOP_FS_ENTRY, Link)->Device;
        PDEVICE_OBJECT target = IopTopOfStack(fs);
        IO_STATUS_BLOCK iosb;
        PIRP irp = IoAllocateIrp(target->StackSize, FALSE);
        if (!irp)
            return STATUS_INSUFFICIENT_RESOURCES;
        PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
        sp->MajorFunction = IRP_MJ_FILE_SYSTEM_CONTROL;
        sp->MinorFunction = IRP_MN_MOUNT_VOLUME;
        sp->Parameters.MountVolume.Vpb = Device->Vpb;
        sp->Parameters.MountVolume.DeviceObject = IopTopOfStack(Device);
        irp->Flags |= IRP_MOUNT_COMPLETION;
        NTSTATUS st = IopSendAndWait(target, irp, NULL, &iosb);
        if (NT_SUCCESS(st) && Device->Vpb->DeviceObject) {
            Device->Vpb->Flags |= VPB_MOUNTED;
            return STATUS_SUCCESS;
        }
        if (!NT_SUCCESS(st) && st != STATUS_UNRECOGNIZED_VOLUME)
            refusal = st;
    }
    return refusal;
}

/* Rights that need no file system: asking only for these opens the device itself. */
#define IOP_DIRECT_DEVICE_ACCESS \
    (SYNCHRONIZE | FILE_READ_ATTRIBUTES | READ_CONTROL | ACCESS_SYSTEM_SECURITY | WRITE_OWNER | WRITE_DAC)

/* PASSIVE_LEVEL. Opens \Device\Name[\path]: a create IRP to the volume's or device's stack.
 * On a storage device (one with a VPB) a path, or no path with rights beyond
 * IOP_DIRECT_DEVICE_ACCESS, goes to the file system (mounting first): the latter is a volume
 * open, with an empty FileName, as Windows' IopParseDevice decides. DirectOnly forces a
 * direct device open (IoGetDeviceObjectPointer). */
static NTSTATUS IopOpenResolved(PUNICODE_STRING Name, ACCESS_MASK Access, ULONG ShareAccess, ULONG Disposition,
                                ULONG Options, ULONG Attributes, BOOLEAN DirectOnly, PIO_STATUS_BLOCK Iosb,
                                PFILE_OBJECT *FileObject);

/* A name may go through symbolic links (\DosDevices\X, \??\X): open what they point at. */
static NTSTATUS IopOpen(PUNICODE_STRING Name, ACCESS_MASK Access, ULONG ShareAccess, ULONG Disposition,
                        ULONG Options, ULONG Attributes, BOOLEAN DirectOnly, PIO_STATUS_BLOCK Iosb,
                        PFILE_OBJECT *FileObject)
{
    UNICODE_STRING resolved;
    VF_DDI_CHECK(ZwCreateFile);
    if (!Name || !Name->Length || Name->Buffer[0] != L'\\')
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    NTSTATUS st = IopResolveName(Name, &resolved);
    if (!NT_SUCCESS(st))
        return st;
    st = IopOpenResolved(&resolved, Access, ShareAccess, Disposition, Options, Attributes, DirectOnly, Iosb,
                         FileObject);
    IopFreeResolvedName(&resolved);
    return st;
}

static NTSTATUS IopOpenResolved(PUNICODE_STRING Name, ACCESS_MASK Access, ULONG ShareAccess, ULONG Disposition,
                                ULONG Options, ULONG Attributes, BOOLEAN DirectOnly, PIO_STATUS_BLOCK Iosb,
                                PFILE_OBJECT *FileObject)
{
    USHORT matched;
    PVOID o = ObpLookupName(Name, &matched);
    if (!o)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    if (!ObIsObjectOfType(o, &IopDeviceType)) {
        ObDereferenceObject(o);
        return matched == Name->Length ? STATUS_OBJECT_TYPE_MISMATCH : STATUS_OBJECT_PATH_NOT_FOUND;
    }
    PDEVICE_OBJECT dev = o;
    USHORT rest = Name->Length - matched;
    BOOLEAN onVolume = dev->Vpb && (rest || (!DirectOnly && (Access & ~IOP_DIRECT_DEVICE_ACCESS)));
    if (onVolume && !(dev->Vpb->Flags & VPB_MOUNTED)) {
        IopLockMounts();
        /* Another thread may have mounted it while this one waited. */
        NTSTATUS st = dev->Vpb->Flags & VPB_MOUNTED ? STATUS_SUCCESS : IopMountVolume(dev);
        IopUnlockMounts();
        if (!NT_SUCCESS(st)) {
            ObDereferenceObject(dev);
            return st;
        }
    }
    PFILE_OBJECT f;
    NTSTATUS st = ObCreateObject(&IopFileType, sizeof(FILE_OBJECT) + rest + sizeof(WCHAR), NULL, (PVOID *)&f);
    if (!NT_SUCCESS(st)) {
        ObDereferenceObject(dev);
        return st;
    }
    f->Type = IO_TYPE_FILE;
    f->Size = sizeof(FILE_OBJECT);
    f->DeviceObject = dev; /* the file's reference on the device */
    f->FileName.Buffer = (PWSTR)(f + 1);
    f->FileName.Length = rest;
    f->FileName.MaximumLength = rest + sizeof(WCHAR);
    RtlCopyMemory(f->FileName.Buffer, Name->Buffer + matched / 2, rest);
    f->FileName.Buffer[rest / 2] = 0;
    KIRQL vpbIrql;
    IoAcquireVpbSpinLock(&vpbIrql);
    if (onVolume && (dev->Vpb->Flags & VPB_MOUNTED)) {
        f->Vpb = dev->Vpb;
        f->Vpb->ReferenceCount++;
    }
    IoReleaseVpbSpinLock(vpbIrql);
    if (!f->Vpb) {
        f->Flags |= FO_DIRECT_DEVICE_OPEN;
    }
    if (Options & FILE_SYNCHRONOUS_IO_NONALERT)
        f->Flags |= FO_SYNCHRONOUS_IO;
    if (Options & FILE_NO_INTERMEDIATE_BUFFERING)
        f->Flags |= FO_NO_INTERMEDIATE_BUFFERING;
    if (Options & FILE_SEQUENTIAL_ONLY)
        f->Flags |= FO_SEQUENTIAL_ONLY;
    f->ReadAccess = (Access & (FILE_READ_DATA | GENERIC_READ | GENERIC_ALL)) != 0;
    f->WriteAccess = (Access & (FILE_WRITE_DATA | FILE_APPEND_DATA | GENERIC_WRITE | GENERIC_ALL)) != 0;
    f->DeleteAccess = (Access & DELETE) != 0;
    f->SharedRead = (ShareAccess & FILE_SHARE_READ) != 0;
    f->SharedWrite = (ShareAccess & FILE_SHARE_WRITE) != 0;
    f->SharedDelete = (ShareAccess & FILE_SHARE_DELETE) != 0;
    KeInitializeEvent(&f->Event, NotificationEvent, FALSE);
    KeInitializeEvent(&f->Lock, SynchronizationEvent, FALSE);

    PDEVICE_OBJECT target = IoGetRelatedDeviceObject(f);
    PIRP irp = IoAllocateIrp(target->StackSize, FALSE);
    if (!irp) {
        ObDereferenceObject(f);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    IO_SECURITY_CONTEXT sec = { NULL, NULL, Access, Options };
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_CREATE;
    sp->Parameters.Create.SecurityContext = &sec;
    sp->Parameters.Create.Options = (Disposition << 24) | (Options & 0x00FFFFFF);
    sp->Parameters.Create.FileAttributes = (USHORT)Attributes;
    sp->Parameters.Create.ShareAccess = (USHORT)ShareAccess;
    irp->Flags |= IRP_CREATE_OPERATION;
    st = IopSendAndWait(target, irp, f, Iosb);
    if (!NT_SUCCESS(st)) {
        ObDereferenceObject(f); /* no cleanup or close for a failed create */
        return st;
    }
    f->Flags |= IOP_FO_OPENED;
    __atomic_add_fetch(&dev->ReferenceCount, 1, __ATOMIC_SEQ_CST);
    *FileObject = f;
    return st;
}

/* PASSIVE_LEVEL. */
NTSTATUS ZwCreateFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                      PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize, ULONG FileAttributes,
                      ULONG ShareAccess, ULONG CreateDisposition, ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength)
{
    PFILE_OBJECT f;
    UNREFERENCED_PARAMETER(AllocationSize);
    if (EaBuffer || EaLength || !ObjectAttributes || ObjectAttributes->RootDirectory || CreateDisposition > FILE_OVERWRITE_IF)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS st = IopOpen(ObjectAttributes->ObjectName, DesiredAccess, ShareAccess, CreateDisposition, CreateOptions,
                          FileAttributes, FALSE, IoStatusBlock, &f);
    if (!NT_SUCCESS(st))
        return st;
    NTSTATUS hs = ObCreateHandle(f, DesiredAccess, FileHandle);
    f->Flags |= FO_HANDLE_CREATED;
    ObDereferenceObject(f); /* the handle holds it now (or, on failure, close it) */
    return NT_SUCCESS(hs) ? st : hs;
}

/* PASSIVE_LEVEL. */
NTSTATUS ZwOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                    PIO_STATUS_BLOCK IoStatusBlock, ULONG ShareAccess, ULONG OpenOptions)
{
    return ZwCreateFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, NULL, 0, ShareAccess, FILE_OPEN,
                        OpenOptions, NULL, 0);
}

/* PASSIVE_LEVEL. Opens the device (a direct device open, no mount, whatever the access) and
 * returns the file, referenced, and the top of the device's stack. Windows would mount a
 * storage device here when DesiredAccess asks for data; callers in this tree use it to
 * reach the disk itself, so it stays a direct open. */
NTSTATUS IoGetDeviceObjectPointer(PUNICODE_STRING ObjectName, ACCESS_MASK DesiredAccess, PFILE_OBJECT *FileObject,
                                  PDEVICE_OBJECT *DeviceObject)
{
    VF_DDI_CHECK(IoGetDeviceObjectPointer);
    IO_STATUS_BLOCK iosb;
    PFILE_OBJECT f;
    USHORT matched;
    UNICODE_STRING resolved; /* the name may be a symbolic link (\\DosDevices\\X) */
    NTSTATUS st = ObjectName ? IopResolveName(ObjectName, &resolved) : STATUS_OBJECT_NAME_INVALID;
    if (!NT_SUCCESS(st))
        return st;
    PVOID o = ObpLookupName(&resolved, &matched);
    BOOLEAN whole = o && matched == resolved.Length;
    IopFreeResolvedName(&resolved);
    if (o)
        ObDereferenceObject(o);
    if (!whole)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    st = IopOpen(ObjectName, DesiredAccess, FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, 0, TRUE, &iosb, &f);
    if (!NT_SUCCESS(st))
        return st;
    *FileObject = f;
    *DeviceObject = IoGetRelatedDeviceObject(f);
    return st;
}

FORCEINLINE NTSTATUS IopFileFromHandle(HANDLE Handle, PFILE_OBJECT *File, HANDLE Event, PIO_APC_ROUTINE Apc)
{
    VF_DDI_CHECK(ZwReadFile);
    if (Event || Apc)
        return STATUS_NOT_SUPPORTED; /* every Zw call here is synchronous */
    return ObpReferenceObjectByHandle(Handle, &IopFileType, (PVOID *)File);
}

static NTSTATUS IopReadWrite(UCHAR Major, HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                             PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset,
                             PULONG Key)
{
    PFILE_OBJECT f;
    NTSTATUS st = IopFileFromHandle(FileHandle, &f, Event, ApcRoutine);
    if (!NT_SUCCESS(st))
        return st;
    if (IopFastIoReadWrite(f, Major, Buffer, Length, ByteOffset, Key ? *Key : 0, IoStatusBlock)) {
        ObpDereferenceObject(f);
        return IoStatusBlock->Status;
    }
    PDEVICE_OBJECT target = IoGetRelatedDeviceObject(f);
    PIRP irp = IoAllocateIrp(target->StackSize, FALSE);
    if (!irp || !IopSetupTransfer(irp, target, Major, Buffer, Length)) {
        if (irp)
            IopReleaseIoOwnedIrp(irp);
        ObDereferenceObject(f);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = Major;
    sp->Parameters.Read.Length = Length;
    sp->Parameters.Read.Key = Key ? *Key : 0;
    if (!ByteOffset || (ByteOffset->LowPart == FILE_USE_FILE_POINTER_POSITION && ByteOffset->HighPart == -1))
        sp->Parameters.Read.ByteOffset = f->CurrentByteOffset;
    else
        sp->Parameters.Read.ByteOffset = *ByteOffset;
    irp->Flags |= Major == IRP_MJ_READ ? IRP_READ_OPERATION : IRP_WRITE_OPERATION;
    if (f->Flags & FO_NO_INTERMEDIATE_BUFFERING) /* the caller asked for no file-system caching */
        irp->Flags |= IRP_NOCACHE;
    st = IopSendAndWait(target, irp, f, IoStatusBlock);
    ObDereferenceObject(f);
    return st;
}

/* PASSIVE_LEVEL. */
NTSTATUS ZwReadFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                    PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key)
{
    UNREFERENCED_PARAMETER(ApcContext);
    return IopReadWrite(IRP_MJ_READ, FileHandle, Event, ApcRoutine, IoStatusBlock, Buffer, Length, ByteOffset, Key);
}

/* PASSIVE_LEVEL. */
NTSTATUS ZwWriteFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                     PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer, ULONG Length, PLARGE_INTEGER ByteOffset, PULONG Key)
{
    UNREFERENCED_PARAMETER(ApcContext);
    return IopReadWrite(IRP_MJ_WRITE, FileHandle, Event, ApcRoutine, IoStatusBlock, Buffer, Length, ByteOffset, Key);
}

static NTSTATUS IopControl(BOOLEAN Fs, HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine,
                           PIO_STATUS_BLOCK IoStatusBlock, ULONG Code, PVOID InputBuffer, ULONG InputBufferLength,
                           PVOID OutputBuffer, ULONG OutputBufferLength)
{
    PFILE_OBJECT f;
    NTSTATUS st = IopFileFromHandle(FileHandle, &f, Event, ApcRoutine);
    if (!NT_SUCCESS(st))
        return st;
    PDEVICE_OBJECT target = IoGetRelatedDeviceObject(f);
    PIRP irp = IoBuildDeviceIoControlRequest(Code, target, InputBuffer, InputBufferLength, OutputBuffer,
                                             OutputBufferLength, FALSE, NULL, IoStatusBlock);
    if (!irp) {
        ObDereferenceObject(f);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Fs) {
        PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
        sp->MajorFunction = IRP_MJ_FILE_SYSTEM_CONTROL;
        sp->MinorFunction = IRP_MN_USER_FS_REQUEST;
    }
    st = IopSendAndWait(target, irp, f, IoStatusBlock);
    ObDereferenceObject(f);
    return st;
}

/* PASSIVE_LEVEL. */
NTSTATUS ZwDeviceIoControlFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                               PIO_STATUS_BLOCK IoStatusBlock, ULONG IoControlCode, PVOID InputBuffer,
                               ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength)
{
    UNREFERENCED_PARAMETER(ApcContext);
    return IopControl(FALSE, FileHandle, Event, ApcRoutine, IoStatusBlock, IoControlCode, InputBuffer,
                      InputBufferLength, OutputBuffer, OutputBufferLength);
}

/* PASSIVE_LEVEL. */
NTSTATUS ZwFsControlFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                         PIO_STATUS_BLOCK IoStatusBlock, ULONG FsControlCode, PVOID InputBuffer,
                         ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength)
{
    UNREFERENCED_PARAMETER(ApcContext);
    return IopControl(TRUE, FileHandle, Event, ApcRoutine, IoStatusBlock, FsControlCode, InputBuffer,
                      InputBufferLength, OutputBuffer, OutputBufferLength);
}

/* Information requests always travel in a system buffer, copied in for sets and copied
 * back for queries. */
static NTSTATUS IopInformation(UCHAR Major, HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID Buffer,
                               ULONG Length, ULONG Class)
{
    PFILE_OBJECT f;
    NTSTATUS st = IopFileFromHandle(FileHandle, &f, NULL, NULL);
    if (!NT_SUCCESS(st))
        return st;
    if (!Length || !Buffer) {
        ObDereferenceObject(f);
        return STATUS_INFO_LENGTH_MISMATCH;
    }
    if (Major == IRP_MJ_QUERY_INFORMATION && IopFastIoQuery(f, Class, Buffer, Length, IoStatusBlock)) {
        ObDereferenceObject(f);
        return IoStatusBlock->Status;
    }
    PDEVICE_OBJECT target = IoGetRelatedDeviceObject(f);
    PIRP irp = IoAllocateIrp(target->StackSize, FALSE);
    PVOID sys = ExAllocatePoolWithTag(NonPagedPool, Length, 'fbSI');
    if (!irp || !sys) {
        if (irp)
            IoFreeIrp(irp);
        if (sys)
            ExFreePoolWithTag(sys, 'fbSI');
        ObDereferenceObject(f);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    irp->AssociatedIrp.SystemBuffer = sys;
    irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER;
    irp->UserBuffer = Buffer;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = Major;
    if (Major == IRP_MJ_SET_INFORMATION) {
        RtlCopyMemory(sys, Buffer, Length);
        sp->Parameters.SetFile.Length = Length;
        sp->Parameters.SetFile.FileInformationClass = (FILE_INFORMATION_CLASS)Class;
    } else {
        irp->Flags |= IRP_INPUT_OPERATION;
        sp->Parameters.QueryFile.Length = Length;
        sp->Parameters.QueryFile.FileInformationClass = (FILE_INFORMATION_CLASS)Class;
    }
    st = IopSendAndWait(target, irp, f, IoStatusBlock);
    ObDereferenceObject(f);
    return st;
}

/* PASSIVE_LEVEL. */
NTSTATUS ZwQueryInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                                ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
{
    return IopInformation(IRP_MJ_QUERY_INFORMATION, FileHandle, IoStatusBlock, FileInformation, Length,
                          FileInformationClass);
}

/* PASSIVE_LEVEL. */
NTSTATUS ZwSetInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation,
                              ULONG Length, FILE_INFORMATION_CLASS FileInformationClass)
{
    return IopInformation(IRP_MJ_SET_INFORMATION, FileHandle, IoStatusBlock, FileInformation, Length,
                          FileInformationClass);
}

/* PASSIVE_LEVEL. */
NTSTATUS ZwQueryVolumeInformationFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID FsInformation,
                                      ULONG Length, FS_INFORMATION_CLASS FsInformationClass)
{
    return IopInformation(IRP_MJ_QUERY_VOLUME_INFORMATION, FileHandle, IoStatusBlock, FsInformation, Length,
                          FsInformationClass);
}

/* PASSIVE_LEVEL. The buffer goes as the device asks (buffered, MDL, or the caller's). */
NTSTATUS ZwQueryDirectoryFile(HANDLE FileHandle, HANDLE Event, PIO_APC_ROUTINE ApcRoutine, PVOID ApcContext,
                              PIO_STATUS_BLOCK IoStatusBlock, PVOID FileInformation, ULONG Length,
                              FILE_INFORMATION_CLASS FileInformationClass, BOOLEAN ReturnSingleEntry,
                              PUNICODE_STRING FileName, BOOLEAN RestartScan)
{
    PFILE_OBJECT f;
    UNREFERENCED_PARAMETER(ApcContext);
    NTSTATUS st = IopFileFromHandle(FileHandle, &f, Event, ApcRoutine);
    if (!NT_SUCCESS(st))
        return st;
    PDEVICE_OBJECT target = IoGetRelatedDeviceObject(f);
    PIRP irp = IoAllocateIrp(target->StackSize, FALSE);
    if (!irp || !IopSetupTransfer(irp, target, IRP_MJ_READ, FileInformation, Length)) {
        if (irp)
            IopReleaseIoOwnedIrp(irp);
        ObDereferenceObject(f);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = IRP_MJ_DIRECTORY_CONTROL;
    sp->MinorFunction = IRP_MN_QUERY_DIRECTORY;
    sp->Flags = (RestartScan ? SL_RESTART_SCAN : 0) | (ReturnSingleEntry ? SL_RETURN_SINGLE_ENTRY : 0);
    sp->Parameters.QueryDirectory.Length = Length;
    sp->Parameters.QueryDirectory.FileName = FileName;
    sp->Parameters.QueryDirectory.FileInformationClass = FileInformationClass;
    st = IopSendAndWait(target, irp, f, IoStatusBlock);
    ObDereferenceObject(f);
    return st;
}

/* PASSIVE_LEVEL. */
NTSTATUS ZwFlushBuffersFile(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock)
{
    PFILE_OBJECT f;
    NTSTATUS st = IopFileFromHandle(FileHandle, &f, NULL, NULL);
    if (!NT_SUCCESS(st))
        return st;
    PDEVICE_OBJECT target = IoGetRelatedDeviceObject(f);
    PIRP irp = IoAllocateIrp(target->StackSize, FALSE);
    if (!irp) {
        ObDereferenceObject(f);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_FLUSH_BUFFERS;
    st = IopSendAndWait(target, irp, f, IoStatusBlock);
    ObDereferenceObject(f);
    return st;
}
