/* labs/verifier_hunt/hunted.c - the Driver Verifier lab: a legacy filter above every FAT
 * volume that watches reads, writes, flushes, queries, directory listings and FSCTLs. */
#include <lab_hunt.h>

typedef struct _LAB_EXTENSION {
    BOOLEAN IsControl;          /* \Device\LabHunt */
    BOOLEAN IsVolume;           /* above a mounted volume (else above FAT's control device) */
    PDEVICE_OBJECT AttachedTo;
} LAB_EXTENSION, *PLAB_EXTENSION;

static PDRIVER_OBJECT LabDriver;
static PDEVICE_OBJECT LabControl, LabAboveFs;
static KSPIN_LOCK LabStatsLock;
static LAB_HUNT_STATS LabStats;
static KSPIN_LOCK LabLogLock;          /* guards the write log */
static PULONG64 LabWriteLog;           /* the last 64 write lengths, nonpaged */
static ULONG LabWriteLogNext;

/* IRQL <= DISPATCH_LEVEL. */
static VOID LabCount(ULONG64 *Counter, ULONG64 Amount)
{
    KIRQL old;
    KeAcquireSpinLock(&LabStatsLock, &old);
    *Counter += Amount;
    KeReleaseSpinLock(&LabStatsLock, old);
}

/* IRQL <= DISPATCH_LEVEL. */
static NTSTATUS LabPassThrough(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLAB_EXTENSION ext = DeviceObject->DeviceExtension;
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(ext->AttachedTo, Irp);
}

/* IRQL <= APC_LEVEL. Sends the IRP down with Routine on it and returns what the lower
 * driver returned. */
static NTSTATUS LabForward(PDEVICE_OBJECT DeviceObject, PIRP Irp, PIO_COMPLETION_ROUTINE Routine, PVOID Context)
{
    PLAB_EXTENSION ext = DeviceObject->DeviceExtension;
    LabCount(&LabStats.Requests[IoGetCurrentIrpStackLocation(Irp)->MajorFunction], 1);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, Routine, Context, TRUE, TRUE, TRUE);
    return IoCallDriver(ext->AttachedTo, Irp);
}

/* ---- reads ---- */

/* IO_COMPLETION_ROUTINE, IRQL <= DISPATCH_LEVEL. */
static NTSTATUS LabReadCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
    LabCount(&LabStats.Completions[IRP_MJ_READ], 1);
    if (NT_SUCCESS(Irp->IoStatus.Status))
        LabCount(&LabStats.BytesRead, Irp->IoStatus.Information);
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    return STATUS_SUCCESS;
}

/* ---- writes ---- */

/* IO_COMPLETION_ROUTINE, IRQL <= DISPATCH_LEVEL. */
static NTSTATUS LabWriteCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
    LabCount(&LabStats.Completions[IRP_MJ_WRITE], 1);
    if (NT_SUCCESS(Irp->IoStatus.Status))
        LabCount(&LabStats.BytesWritten, Irp->IoStatus.Information);
    KeAcquireSpinLock(&LabLogLock, &old);
    LabWriteLog[LabWriteLogNext++ % 64] = Irp->IoStatus.Information;
    KeReleaseSpinLock(&LabLogLock, old);
    LabCount(&LabStats.WriteLogEntries, 1);
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    return STATUS_SUCCESS;
}

/* ---- file information queries ---- */

/* IO_COMPLETION_ROUTINE, IRQL <= DISPATCH_LEVEL. */
static NTSTATUS LabQueryCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
    LabCount(&LabStats.Completions[IRP_MJ_QUERY_INFORMATION], 1);
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    return STATUS_SUCCESS;
}

/* ---- flushes and FSCTLs: forward, wait, finish here ---- */

/* IO_COMPLETION_ROUTINE. Context is the waiter's event. */
static NTSTATUS LabSignalCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    LabCount(&LabStats.Completions[IoGetCurrentIrpStackLocation(Irp)->MajorFunction], 1);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* IRQL == PASSIVE_LEVEL. */
static NTSTATUS LabForwardAndWait(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    if (LabForward(DeviceObject, Irp, LabSignalCompletion, &event) == STATUS_PENDING)
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    NTSTATUS status = Irp->IoStatus.Status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static BOOLEAN LabIsOplockRequest(PIO_STACK_LOCATION Sl)
{
    switch (Sl->Parameters.FileSystemControl.FsControlCode) {
    case FSCTL_REQUEST_OPLOCK_LEVEL_1:
    case FSCTL_REQUEST_OPLOCK_LEVEL_2:
    case FSCTL_REQUEST_BATCH_OPLOCK:
    case FSCTL_REQUEST_FILTER_OPLOCK:
    case FSCTL_REQUEST_OPLOCK:
        return TRUE;
    default:
        return FALSE;
    }
}

/* ---- directory listings ---- */

/* IRQL == PASSIVE_LEVEL. Counts the request, then passes it down. */
static NTSTATUS LabDirectoryControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL old;
    KeAcquireSpinLock(&LabStatsLock, &old);
    LabStats.Requests[IRP_MJ_DIRECTORY_CONTROL]++;
    KeReleaseSpinLock(&LabStatsLock, old);
    return LabPassThrough(DeviceObject, Irp);
}

/* ---- attaching, mounting, the control device ---- */

static NTSTATUS LabAttach(PDEVICE_OBJECT Target, BOOLEAN IsVolume, PDEVICE_OBJECT *Out)
{
    PDEVICE_OBJECT dev;
    NTSTATUS status = IoCreateDevice(LabDriver, sizeof(LAB_EXTENSION), NULL, Target->DeviceType, 0, FALSE, &dev);
    if (!NT_SUCCESS(status))
        return status;
    PLAB_EXTENSION ext = dev->DeviceExtension;
    ext->IsVolume = IsVolume;
    status = IoAttachDeviceToDeviceStackSafe(dev, Target, &ext->AttachedTo);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(dev);
        return status;
    }
    dev->Flags |= ext->AttachedTo->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO);
    dev->Flags &= ~DO_DEVICE_INITIALIZING;
    if (Out)
        *Out = dev;
    return STATUS_SUCCESS;
}

static NTSTATUS LabMountCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* IRQL == PASSIVE_LEVEL. */
static NTSTATUS LabMount(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLAB_EXTENSION ext = DeviceObject->DeviceExtension;
    PVPB vpb = IoGetCurrentIrpStackLocation(Irp)->Parameters.MountVolume.Vpb;
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, LabMountCompletion, &event, TRUE, TRUE, TRUE);
    if (IoCallDriver(ext->AttachedTo, Irp) == STATUS_PENDING)
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    NTSTATUS status = Irp->IoStatus.Status;
    if (NT_SUCCESS(status) && vpb && vpb->DeviceObject)
        LabAttach(vpb->DeviceObject, TRUE, NULL);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* IRQL == PASSIVE_LEVEL: volume FSCTLs other than oplock requests are forwarded and
 * waited for; oplock requests go straight down. */
static NTSTATUS LabFsControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLAB_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    if (!ext->IsVolume)
        return sl->MinorFunction == IRP_MN_MOUNT_VOLUME ? LabMount(DeviceObject, Irp)
                                                        : LabPassThrough(DeviceObject, Irp);
    if (LabIsOplockRequest(sl))
        return LabPassThrough(DeviceObject, Irp);
    return LabForwardAndWait(DeviceObject, Irp);
}

static NTSTATUS LabControlDispatch(PIRP Irp)
{
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    if (sl->MajorFunction == IRP_MJ_DEVICE_CONTROL) {
        if (sl->Parameters.DeviceIoControl.IoControlCode != IOCTL_LAB_HUNT_STATS)
            status = STATUS_INVALID_DEVICE_REQUEST;
        else if (sl->Parameters.DeviceIoControl.OutputBufferLength < sizeof(LAB_HUNT_STATS))
            status = STATUS_BUFFER_TOO_SMALL;
        else {
            KIRQL old;
            KeAcquireSpinLock(&LabStatsLock, &old);
            *(PLAB_HUNT_STATS)Irp->AssociatedIrp.SystemBuffer = LabStats;
            KeReleaseSpinLock(&LabStatsLock, old);
            Irp->IoStatus.Information = sizeof(LAB_HUNT_STATS);
        }
    } else if (sl->MajorFunction != IRP_MJ_CREATE && sl->MajorFunction != IRP_MJ_CLOSE &&
               sl->MajorFunction != IRP_MJ_CLEANUP) {
        status = STATUS_INVALID_DEVICE_REQUEST;
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* IRQL == PASSIVE_LEVEL for everything but reads and writes (<= APC_LEVEL). */
static NTSTATUS LabDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLAB_EXTENSION ext = DeviceObject->DeviceExtension;
    if (ext->IsControl)
        return LabControlDispatch(Irp);
    switch (IoGetCurrentIrpStackLocation(Irp)->MajorFunction) {
    case IRP_MJ_READ:
        return LabForward(DeviceObject, Irp, LabReadCompletion, NULL);
    case IRP_MJ_WRITE:
        return LabForward(DeviceObject, Irp, LabWriteCompletion, NULL);
    case IRP_MJ_QUERY_INFORMATION:
        return LabForward(DeviceObject, Irp, LabQueryCompletion, NULL);
    case IRP_MJ_FLUSH_BUFFERS:
        return LabForwardAndWait(DeviceObject, Irp);
    case IRP_MJ_DIRECTORY_CONTROL:
        return LabDirectoryControl(DeviceObject, Irp);
    case IRP_MJ_FILE_SYSTEM_CONTROL:
        return LabFsControl(DeviceObject, Irp);
    default:
        return LabPassThrough(DeviceObject, Irp);
    }
}

/* FAST_IO_DETACH_DEVICE, IRQL == PASSIVE_LEVEL: the volume below is being deleted. */
static VOID LabFastIoDetachDevice(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice)
{
    IoDetachDevice(TargetDevice);
    IoDeleteDevice(SourceDevice);
}

static FAST_IO_DISPATCH LabFastIo = {
    .SizeOfFastIoDispatch = sizeof(FAST_IO_DISPATCH),
    .FastIoDetachDevice = LabFastIoDetachDevice,
};

static VOID LabFsNotification(PDEVICE_OBJECT DeviceObject, BOOLEAN FsActive)
{
    if (FsActive && !LabAboveFs)
        LabAttach(DeviceObject, FALSE, &LabAboveFs);
}

/* DRIVER_UNLOAD, IRQL == PASSIVE_LEVEL, after every volume was dismounted (the volume
 * filter devices went with them): detach from the file system, delete the devices and
 * free what DriverEntry allocated. */
static VOID LabUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    if (LabAboveFs) {
        IoDetachDevice(((PLAB_EXTENSION)LabAboveFs->DeviceExtension)->AttachedTo);
        IoDeleteDevice(LabAboveFs);
        LabAboveFs = NULL;
    }
    IoDeleteDevice(LabControl);
    ExFreePoolWithTag(LabWriteLog, LAB_HUNT_TAG);
    LabWriteLog = NULL;
}

/* IRQL == PASSIVE_LEVEL. */
NTSTATUS LabHuntEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(LAB_HUNT_DEVICE);
    UNREFERENCED_PARAMETER(RegistryPath);
    LabDriver = DriverObject;
    KeInitializeSpinLock(&LabStatsLock);
    KeInitializeSpinLock(&LabLogLock);
    LabWriteLog = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64 * sizeof(ULONG64), LAB_HUNT_TAG);
    if (!LabWriteLog)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(LAB_EXTENSION), &name, FILE_DEVICE_UNKNOWN, 0, FALSE,
                                     &LabControl);
    if (!NT_SUCCESS(status)) {
        ExFreePoolWithTag(LabWriteLog, LAB_HUNT_TAG);
        return status;
    }
    ((PLAB_EXTENSION)LabControl->DeviceExtension)->IsControl = TRUE;
    LabControl->Flags |= DO_BUFFERED_IO;
    LabControl->Flags &= ~DO_DEVICE_INITIALIZING;
    DriverObject->FastIoDispatch = &LabFastIo;
    DriverObject->DriverUnload = LabUnload;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = LabDispatch;
    return IoRegisterFsRegistrationChange(DriverObject, LabFsNotification);
}

IRQLAB_BUILTIN_DRIVER(33, LAB_HUNT_DRIVER, LabHuntEntry);
