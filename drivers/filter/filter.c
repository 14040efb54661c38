/* drivers/filter/filter.c - DriverEntry of the legacy filter: the dispatch table, attachment
 * to every file system that registers (then to its volumes), and detaching from a volume
 * the file system deletes. */
#include "filter.h"

PDRIVER_OBJECT FltDriverObject;

/* IRQL == PASSIVE_LEVEL. Creates an unnamed filter device and attaches it on top of
 * Target's stack, copying the flags the I/O manager and the file system look at. */
NTSTATUS FltAttachToDevice(PDEVICE_OBJECT Target, BOOLEAN IsVolume, PDEVICE_OBJECT *FilterDevice)
{
    PDEVICE_OBJECT dev;
    PFILTER_EXTENSION ext;
    NTSTATUS status = IoCreateDevice(FltDriverObject, sizeof(FILTER_EXTENSION), NULL, Target->DeviceType, 0,
                                     FALSE, &dev);
    if (!NT_SUCCESS(status))
        return status;
    ext = dev->DeviceExtension;
    ext->Self = dev;
    ext->IsVolume = IsVolume;
    status = IoAttachDeviceToDeviceStackSafe(dev, Target, &ext->AttachedTo);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(dev);
        return status;
    }
    dev->Flags |= ext->AttachedTo->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO);
    dev->Flags &= ~DO_DEVICE_INITIALIZING;
    *FilterDevice = dev;
    return STATUS_SUCCESS;
}

/* FAST_IO_DETACH_DEVICE, IRQL == PASSIVE_LEVEL. The I/O manager is deleting TargetDevice (a
 * volume the file system dismounted) and SourceDevice, ours, sits on it: detach and delete
 * ours, or the deleted volume device would stay referenced by the attachment. */
VOID FltFastIoDetachDevice(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice)
{
    PFILTER_EXTENSION ext = SourceDevice->DeviceExtension;
    if (ext->IsVolume)
        FltpCount(&FltpStatsBlock()->VolumesDetached);
    IoDetachDevice(TargetDevice);
    IoDeleteDevice(SourceDevice);
}

/* Called by the I/O manager when a file system registers its control device. */
static VOID FltpFsNotification(PDEVICE_OBJECT DeviceObject, BOOLEAN FsActive)
{
    PDEVICE_OBJECT filter;
    if (FsActive)
        FltAttachToDevice(DeviceObject, FALSE, &filter);
}

/* IRQL == PASSIVE_LEVEL. */
NTSTATUS FltDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    FltDriverObject = DriverObject;
    DriverObject->FastIoDispatch = &FltFastIoDispatch;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = FltPassThrough;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = FltCreate;
    DriverObject->MajorFunction[IRP_MJ_READ] = FltReadWrite;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = FltReadWrite;
    DriverObject->MajorFunction[IRP_MJ_FLUSH_BUFFERS] = FltPostToWorker;
    DriverObject->MajorFunction[IRP_MJ_FILE_SYSTEM_CONTROL] = FltFsControl;
    return IoRegisterFsRegistrationChange(DriverObject, FltpFsNotification);
}

IRQLAB_BUILTIN_DRIVER(30, L"\\FileSystem\\Filters\\IrqFilter", FltDriverEntry);
