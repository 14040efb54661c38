/* labs/more_processing/mpfilter.c - the STATUS_MORE_PROCESSING_REQUIRED lab: a legacy filter
 * above every FAT volume that uses the status's three cases (seed 001): creates forwarded and
 * waited for, flushes posted to a worker, and an IRP of its own freed in its completion. */
#include <lab_more_processing.h>

typedef struct _LAB_EXTENSION {
    BOOLEAN IsControl;          /* \Device\LabMore */
    BOOLEAN IsVolume;           /* above a mounted volume (else above FAT's control device) */
    PDEVICE_OBJECT AttachedTo;
} LAB_EXTENSION, *PLAB_EXTENSION;

/* What the own-IRP read carries to its completion routine (nonpaged, freed there). */
typedef struct _LAB_READ_CONTEXT {
    PIRP Ioctl;                 /* the request to finish when the read is done */
    UCHAR Sector[512];
} LAB_READ_CONTEXT, *PLAB_READ_CONTEXT;

static PDRIVER_OBJECT LabDriver;
static PDEVICE_OBJECT LabDisk;  /* \Device\RamDisk0, referenced through LabDiskFile */
static PFILE_OBJECT LabDiskFile;

static NTSTATUS LabPassThrough(PDEVICE_OBJECT DeviceObject, PIRP Irp);

/* ---------------------------------------------------------------------------------------
 * Your part: the three cases.
 * ------------------------------------------------------------------------------------- */

/* Case 1, IO_COMPLETION_ROUTINE. Context is the dispatch routine's event. */
static NTSTATUS LabCreateCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    /* The dispatch routine waits and finishes the IRP: no IoMarkIrpPending here. */
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Case 1, IRQL == PASSIVE_LEVEL: forward, wait, finish the IRP here. Used for creates and
 * for volume FSCTLs other than oplock requests. */
static NTSTATUS LabForwardAndWait(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLAB_EXTENSION ext = DeviceObject->DeviceExtension;
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, LabCreateCompletion, &event, TRUE, TRUE, TRUE);
    if (IoCallDriver(ext->AttachedTo, Irp) == STATUS_PENDING)
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    NTSTATUS status = Irp->IoStatus.Status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* Case 2, IO_WORKITEM_ROUTINE, IRQL == PASSIVE_LEVEL in a system worker thread. */
static VOID LabFlushWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PIRP irp = Context;
    UNREFERENCED_PARAMETER(DeviceObject);
    IoFreeWorkItem((PIO_WORKITEM)irp->Tail.Overlay.DriverContext[0]);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

/* Case 2, IO_COMPLETION_ROUTINE, IRQL <= DISPATCH_LEVEL. The IRP is marked pending before it
 * is queued: once queued, the worker may complete it at any moment. */
static NTSTATUS LabFlushCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    IoMarkIrpPending(Irp);
    Irp->Tail.Overlay.DriverContext[0] = Context;
    IoQueueWorkItem((PIO_WORKITEM)Context, LabFlushWorker, DelayedWorkQueue, Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Case 2, IRQL == PASSIVE_LEVEL. The work item is allocated here, where failing is still
 * simple; the IRP is finished by the worker, so this routine returns STATUS_PENDING. */
static NTSTATUS LabFlush(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLAB_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_WORKITEM item = IoAllocateWorkItem(DeviceObject);
    if (!item)
        return LabPassThrough(DeviceObject, Irp);
    IoMarkIrpPending(Irp);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, LabFlushCompletion, item, TRUE, TRUE, TRUE);
    IoCallDriver(ext->AttachedTo, Irp);
    return STATUS_PENDING;
}

/* Case 3, IO_COMPLETION_ROUTINE, IRQL <= DISPATCH_LEVEL (the disk's DPC). DeviceObject is
 * NULL: the IRP has no location of ours. We built it, so we free it and tell the I/O
 * manager to leave it alone. */
static NTSTATUS LabReadCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PLAB_READ_CONTEXT c = Context;
    PIRP ioctl = c->Ioctl;
    PLAB_MP_SECTOR out = ioctl->AssociatedIrp.SystemBuffer;
    UNREFERENCED_PARAMETER(DeviceObject);
    ioctl->IoStatus.Status = Irp->IoStatus.Status;
    ioctl->IoStatus.Information = 0;
    if (NT_SUCCESS(Irp->IoStatus.Status)) {
        RtlCopyMemory(out->Data, c->Sector, sizeof(out->Data));
        out->OwnIrp = (ULONG64)(ULONG_PTR)Irp;
        out->CompletionIrql = KeGetCurrentIrql();
        ioctl->IoStatus.Information = sizeof(LAB_MP_SECTOR);
    }
    if (Irp->MdlAddress) {
        if (Irp->MdlAddress->MdlFlags & MDL_PAGES_LOCKED)
            MmUnlockPages(Irp->MdlAddress);
        IoFreeMdl(Irp->MdlAddress);
        Irp->MdlAddress = NULL;
    }
    IoFreeIrp(Irp);
    ExFreePoolWithTag(c, LAB_MP_TAG);
    IoCompleteRequest(ioctl, IO_NO_INCREMENT);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Case 3, IRQL == PASSIVE_LEVEL: IOCTL_LAB_MP_READ_BOOT_SECTOR. */
static NTSTATUS LabReadBootSector(PIRP Ioctl)
{
    LARGE_INTEGER offset = { .QuadPart = 0 };
    PLAB_READ_CONTEXT c = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*c), LAB_MP_TAG);
    PIRP irp = c ? IoBuildAsynchronousFsdRequest(IRP_MJ_READ, LabDisk, c->Sector, sizeof(c->Sector), &offset, NULL)
                 : NULL;
    if (!irp) {
        if (c)
            ExFreePoolWithTag(c, LAB_MP_TAG);
        Ioctl->IoStatus.Status = STATUS_INSUFFICIENT_RESOURCES;
        IoCompleteRequest(Ioctl, IO_NO_INCREMENT);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    c->Ioctl = Ioctl;
    IoMarkIrpPending(Ioctl);
    IoSetCompletionRoutine(irp, LabReadCompletion, c, TRUE, TRUE, TRUE);
    IoCallDriver(LabDisk, irp);
    return STATUS_PENDING;
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
