/* drivers/filter/fltfsctl.c - file-system control: after a successful mount, attach a new
 * filter device above the volume the file system created; oplock requests pass straight
 * down with no completion routine (never pended, never STATUS_MORE_PROCESSING_REQUIRED). */
#include "filter.h"

static NTSTATUS FltpMountCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* IRQL == PASSIVE_LEVEL. The VPB is read before the call: the file system fills in its
 * DeviceObject (the new volume device) when the mount succeeds. */
static NTSTATUS FltpMount(PFILTER_EXTENSION Ext, PIRP Irp)
{
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    PVPB vpb = sl->Parameters.MountVolume.Vpb;
    KEVENT event;
    NTSTATUS status;
    PDEVICE_OBJECT filter;

    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, FltpMountCompletion, &event, TRUE, TRUE, TRUE);
    if (IoCallDriver(Ext->AttachedTo, Irp) == STATUS_PENDING)
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    status = Irp->IoStatus.Status;
    if (NT_SUCCESS(status) && vpb && vpb->DeviceObject &&
        NT_SUCCESS(FltAttachToDevice(vpb->DeviceObject, TRUE, &filter)))
        FltpCount(&FltpStatsBlock()->VolumesAttached);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* IRQL == PASSIVE_LEVEL. */
NTSTATUS FltFsControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFILTER_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    if (!ext->IsVolume && sl->MinorFunction == IRP_MN_MOUNT_VOLUME) {
        FltpCount(&FltpStatsBlock()->Requests[IRP_MJ_FILE_SYSTEM_CONTROL]);
        return FltpMount(ext, Irp);
    }
    return FltPassThrough(DeviceObject, Irp);
}
