/* labs/completion/cfilter.c - the completion-routine lab: a legacy pass-through filter above
 * every FAT volume whose read/write completion routines count the bytes moved. */
#include <lab_completion.h>

typedef struct _LAB_EXTENSION {
    BOOLEAN IsControl;          /* \Device\LabCounter, which answers IOCTL_LAB_GET_COUNTS */
    BOOLEAN IsVolume;           /* attached above a mounted volume (else above FAT's control device) */
    PDEVICE_OBJECT AttachedTo;  /* the next lower device */
} LAB_EXTENSION, *PLAB_EXTENSION;

static PDRIVER_OBJECT LabDriver;
static KSPIN_LOCK LabCountsLock; /* completion routines run at up to DISPATCH_LEVEL */
static LAB_COUNTS LabCounts;     /* kernel image data: nonpaged */

/* ---------------------------------------------------------------------------------------
 * Your part: read and write dispatch and their completion routine.
 * ------------------------------------------------------------------------------------- */

/* IO_COMPLETION_ROUTINE. IRQL <= DISPATCH_LEVEL, in an arbitrary thread (with the
 * asynchronous RAM disk: inside its DPC). Context is what LabReadWrite passed. */
IO_COMPLETION_ROUTINE LabReadWriteCompletion;
NTSTATUS LabReadWriteCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    UNREFERENCED_PARAMETER(Context);
    /* TODO 2: add the bytes this request really moved to LabCounts (BytesRead or
     * BytesWritten, and ReadsCompleted or WritesCompleted), under LabCountsLock. Which
     * field of the IRP says how many bytes moved, and is it meaningful when the request
     * failed? At what IRQL may this run, and what does that allow? Paging I/O
     * (Irp->Flags & IRP_PAGING_IO) is the cache manager's own traffic: do not count it. */

    /* TODO 3: the PendingReturned rule (seed 000/002): this routine lets completion go on
     * and signals no event, so what must it do when Irp->PendingReturned is set? */

    /* TODO 4: which values may a completion routine return? */
    return STATUS_SUCCESS;
}

/* IRQL <= APC_LEVEL for file-system reads and writes. */
static NTSTATUS LabReadWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLAB_EXTENSION ext = DeviceObject->DeviceExtension;
    /* TODO 1: to see the request complete, give the next driver a copy of this stack
     * location and set LabReadWriteCompletion on it (invoked on success, error and cancel),
     * telling it whether this is a read or a write. For now the request goes down unseen. */
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(ext->AttachedTo, Irp);
}

/* ---------------------------------------------------------------------------------------
 * Given: attaching, passing everything else down, the control device.
 * ------------------------------------------------------------------------------------- */

/* IRQL <= DISPATCH_LEVEL. */
static NTSTATUS LabPassThrough(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLAB_EXTENSION ext = DeviceObject->DeviceExtension;
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(ext->AttachedTo, Irp);
}

/* IRQL == PASSIVE_LEVEL. A filter device above Target, copying the I/O flags. */
static NTSTATUS LabAttach(PDEVICE_OBJECT Target, BOOLEAN IsVolume)
{
    PDEVICE_OBJECT dev;
    NTSTATUS status = IoCreateDevice(LabDriver, sizeof(LAB_EXTENSION), NULL, Target->DeviceType, 0, FALSE, &dev);
    if (!NT_SUCCESS(status))
        return status;
    PLAB_EXTENSION ext = dev->DeviceExtension;
    ext->IsControl = FALSE;
    ext->IsVolume = IsVolume;
    status = IoAttachDeviceToDeviceStackSafe(dev, Target, &ext->AttachedTo);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(dev);
        return status;
    }
    dev->Flags |= ext->AttachedTo->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO);
    dev->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static NTSTATUS LabMountCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* IRQL == PASSIVE_LEVEL. Mounts go down and wait; on success attach above the new volume. */
static NTSTATUS LabFsControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLAB_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    if (ext->IsControl || ext->IsVolume || sl->MinorFunction != IRP_MN_MOUNT_VOLUME)
        return ext->IsControl ? STATUS_INVALID_DEVICE_REQUEST : LabPassThrough(DeviceObject, Irp);
    PVPB vpb = sl->Parameters.MountVolume.Vpb;
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, LabMountCompletion, &event, TRUE, TRUE, TRUE);
    if (IoCallDriver(ext->AttachedTo, Irp) == STATUS_PENDING)
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    NTSTATUS status = Irp->IoStatus.Status;
    if (NT_SUCCESS(status) && vpb && vpb->DeviceObject)
        LabAttach(vpb->DeviceObject, TRUE);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* IRQL == PASSIVE_LEVEL. The control device answers itself; filter devices pass down. */
static NTSTATUS LabDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLAB_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    if (!ext->IsControl) {
        if (sl->MajorFunction == IRP_MJ_READ || sl->MajorFunction == IRP_MJ_WRITE)
            return LabReadWrite(DeviceObject, Irp);
        if (sl->MajorFunction == IRP_MJ_FILE_SYSTEM_CONTROL)
            return LabFsControl(DeviceObject, Irp);
        return LabPassThrough(DeviceObject, Irp);
    }
    NTSTATUS status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    if (sl->MajorFunction == IRP_MJ_DEVICE_CONTROL) {
        if (sl->Parameters.DeviceIoControl.IoControlCode != IOCTL_LAB_GET_COUNTS)
            status = STATUS_INVALID_DEVICE_REQUEST;
        else if (sl->Parameters.DeviceIoControl.OutputBufferLength < sizeof(LAB_COUNTS))
            status = STATUS_BUFFER_TOO_SMALL;
        else {
            KIRQL old;
            KeAcquireSpinLock(&LabCountsLock, &old);
            *(PLAB_COUNTS)Irp->AssociatedIrp.SystemBuffer = LabCounts;
            KeReleaseSpinLock(&LabCountsLock, old);
            Irp->IoStatus.Information = sizeof(LAB_COUNTS);
        }
    } else if (sl->MajorFunction != IRP_MJ_CREATE && sl->MajorFunction != IRP_MJ_CLOSE &&
               sl->MajorFunction != IRP_MJ_CLEANUP) {
        status = STATUS_INVALID_DEVICE_REQUEST;
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
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
    if (FsActive)
        LabAttach(DeviceObject, FALSE);
}

/* IRQL == PASSIVE_LEVEL. */
NTSTATUS LabCounterEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(LAB_COUNTER_DEVICE);
    PDEVICE_OBJECT control;
    UNREFERENCED_PARAMETER(RegistryPath);
    LabDriver = DriverObject;
    KeInitializeSpinLock(&LabCountsLock);
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(LAB_EXTENSION), &name, FILE_DEVICE_UNKNOWN, 0, FALSE,
                                     &control);
    if (!NT_SUCCESS(status))
        return status;
    ((PLAB_EXTENSION)control->DeviceExtension)->IsControl = TRUE;
    control->Flags |= DO_BUFFERED_IO;
    control->Flags &= ~DO_DEVICE_INITIALIZING;
    DriverObject->FastIoDispatch = &LabFastIo;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = LabDispatch;
    return IoRegisterFsRegistrationChange(DriverObject, LabFsNotification);
}

IRQLAB_BUILTIN_DRIVER(31, LAB_COUNTER_DRIVER, LabCounterEntry);
