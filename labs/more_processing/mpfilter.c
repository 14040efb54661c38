/* labs/more_processing/mpfilter.c - the STATUS_MORE_PROCESSING_REQUIRED lab: a legacy filter
 * above every FAT volume that uses the status's three cases (seed 001): creates forwarded and
 * waited for, flushes posted to a worker, and an IRP of its own freed in its completion. */
#include <lab_more_processing.h>

typedef struct _LAB_EXTENSION {
    BOOLEAN IsControl;          /* \Device\LabMore */
    BOOLEAN IsVolume;           /* above a mounted volume (else above FAT's control device) */
    PDEVICE_OBJECT AttachedTo;
} LAB_EXTENSION, *PLAB_EXTENSION;

static PDRIVER_OBJECT LabDriver;
static PDEVICE_OBJECT LabDisk;  /* \Device\RamDisk0, referenced through LabDiskFile */
static PFILE_OBJECT LabDiskFile;

static NTSTATUS LabPassThrough(PDEVICE_OBJECT DeviceObject, PIRP Irp);

/* ---------------------------------------------------------------------------------------
 * Your part: the three cases.
 * ------------------------------------------------------------------------------------- */

/* Case 1, IRQL == PASSIVE_LEVEL: creates, and volume FSCTLs other than oplock requests.
 * TODO 1: forward the IRP with a completion routine that signals a KEVENT and returns
 * STATUS_MORE_PROCESSING_REQUIRED; wait for the event if IoCallDriver returned
 * STATUS_PENDING; then finish the IRP here, at PASSIVE_LEVEL, and return its status.
 * Should the completion routine call IoMarkIrpPending? (seed 001, case 1) */
static NTSTATUS LabForwardAndWait(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return LabPassThrough(DeviceObject, Irp);
}

/* Case 2, IRQL == PASSIVE_LEVEL: flushes.
 * TODO 2: allocate a work item (IoAllocateWorkItem) and forward the IRP with a completion
 * routine that posts it to a worker (IoQueueWorkItem, DelayedWorkQueue) and returns
 * STATUS_MORE_PROCESSING_REQUIRED; the worker frees the work item and completes the IRP at
 * PASSIVE_LEVEL. What must happen before the IRP is queued, and what does this dispatch
 * routine return? (seed 001, case 2) */
static NTSTATUS LabFlush(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return LabPassThrough(DeviceObject, Irp);
}

/* Case 3, IRQL == PASSIVE_LEVEL: IOCTL_LAB_MP_READ_BOOT_SECTOR.
 * TODO 3: read sector 0 of LabDisk with an IRP of your own (IoBuildAsynchronousFsdRequest,
 * IRP_MJ_READ, a nonpaged 512-byte buffer tagged LAB_MP_TAG). Its completion routine fills
 * the IOCTL's LAB_MP_SECTOR (Data, OwnIrp, CompletionIrql), frees everything it was given
 * (MDL, IRP, buffer), completes the IOCTL and returns STATUS_MORE_PROCESSING_REQUIRED. Return
 * STATUS_PENDING here: the IOCTL finishes in that completion routine. (seed 001, case 3) */
static NTSTATUS LabReadBootSector(PIRP Ioctl)
{
    Ioctl->IoStatus.Status = STATUS_NOT_IMPLEMENTED;
    Ioctl->IoStatus.Information = 0;
    IoCompleteRequest(Ioctl, IO_NO_INCREMENT);
    return STATUS_NOT_IMPLEMENTED;
}

/* ---------------------------------------------------------------------------------------
 * Given: attaching, mounting, the control device, DriverEntry.
 * ------------------------------------------------------------------------------------- */

/* Oplock requests: never pended, never held with STATUS_MORE_PROCESSING_REQUIRED. */
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

/* IRQL <= DISPATCH_LEVEL. */
static NTSTATUS LabPassThrough(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLAB_EXTENSION ext = DeviceObject->DeviceExtension;
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(ext->AttachedTo, Irp);
}

static NTSTATUS LabAttach(PDEVICE_OBJECT Target, BOOLEAN IsVolume)
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
    return STATUS_SUCCESS;
}

static NTSTATUS LabMountCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* IRQL == PASSIVE_LEVEL. Mounts are forwarded and waited for (case 1 again); on success
 * the filter attaches above the new volume. */
static NTSTATUS LabMount(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVPB vpb = IoGetCurrentIrpStackLocation(Irp)->Parameters.MountVolume.Vpb;
    KEVENT event;
    PLAB_EXTENSION ext = DeviceObject->DeviceExtension;
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

static NTSTATUS LabFsControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLAB_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    if (!ext->IsVolume && sl->MinorFunction == IRP_MN_MOUNT_VOLUME)
        return LabMount(DeviceObject, Irp);
    if (!ext->IsVolume || LabIsOplockRequest(sl))
        return LabPassThrough(DeviceObject, Irp);
    return LabForwardAndWait(DeviceObject, Irp);
}

static NTSTATUS LabControlDispatch(PIRP Irp)
{
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    if (sl->MajorFunction == IRP_MJ_DEVICE_CONTROL) {
        if (sl->Parameters.DeviceIoControl.IoControlCode != IOCTL_LAB_MP_READ_BOOT_SECTOR)
            status = STATUS_INVALID_DEVICE_REQUEST;
        else if (sl->Parameters.DeviceIoControl.OutputBufferLength < sizeof(LAB_MP_SECTOR))
            status = STATUS_BUFFER_TOO_SMALL;
        else
            return LabReadBootSector(Irp);
    } else if (sl->MajorFunction != IRP_MJ_CREATE && sl->MajorFunction != IRP_MJ_CLOSE &&
               sl->MajorFunction != IRP_MJ_CLEANUP) {
        status = STATUS_INVALID_DEVICE_REQUEST;
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* IRQL == PASSIVE_LEVEL for creates, flushes and FSCTLs; <= DISPATCH_LEVEL otherwise. */
static NTSTATUS LabDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLAB_EXTENSION ext = DeviceObject->DeviceExtension;
    if (ext->IsControl)
        return LabControlDispatch(Irp);
    switch (IoGetCurrentIrpStackLocation(Irp)->MajorFunction) {
    case IRP_MJ_CREATE:
        return ext->IsVolume ? LabForwardAndWait(DeviceObject, Irp) : LabPassThrough(DeviceObject, Irp);
    case IRP_MJ_FLUSH_BUFFERS:
        return LabFlush(DeviceObject, Irp);
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
    if (FsActive)
        LabAttach(DeviceObject, FALSE);
}

/* IRQL == PASSIVE_LEVEL. */
NTSTATUS LabMoreEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(LAB_MP_DEVICE), disk = RTL_CONSTANT_STRING(LAB_MP_DISK);
    PDEVICE_OBJECT control;
    UNREFERENCED_PARAMETER(RegistryPath);
    LabDriver = DriverObject;
    NTSTATUS status = IoGetDeviceObjectPointer(&disk, FILE_READ_DATA, &LabDiskFile, &LabDisk);
    if (!NT_SUCCESS(status))
        return status;
    status = IoCreateDevice(DriverObject, sizeof(LAB_EXTENSION), &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &control);
    if (!NT_SUCCESS(status)) {
        ObDereferenceObject(LabDiskFile);
        return status;
    }
    ((PLAB_EXTENSION)control->DeviceExtension)->IsControl = TRUE;
    control->Flags |= DO_BUFFERED_IO;
    control->Flags &= ~DO_DEVICE_INITIALIZING;
    DriverObject->FastIoDispatch = &LabFastIo;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = LabDispatch;
    return IoRegisterFsRegistrationChange(DriverObject, LabFsNotification);
}

IRQLAB_BUILTIN_DRIVER(34, LAB_MP_DRIVER, LabMoreEntry);
