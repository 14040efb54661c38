/* drivers/filter/fltpass.c - pass-through and read/write: skip the stack location when
 * nothing needs to be seen, else copy it and watch the completion (PendingReturned rule). */
#include "filter.h"

/* IRQL <= DISPATCH_LEVEL. */
NTSTATUS FltPassThrough(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFILTER_EXTENSION ext = DeviceObject->DeviceExtension;
    FltpCount(&FltpStatsBlock()->Requests[IoGetCurrentIrpStackLocation(Irp)->MajorFunction]);
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(ext->AttachedTo, Irp);
}

/* IO_COMPLETION_ROUTINE, IRQL <= DISPATCH_LEVEL, arbitrary thread. Not pageable, touches
 * only nonpaged data. It signals no event, so it must propagate the pending flag itself. */
static NTSTATUS FltpReadWriteCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    FltRecordCompletion((UCHAR)(ULONG_PTR)Context, Irp);
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    return STATUS_SUCCESS;
}

/* IRQL <= DISPATCH_LEVEL. */
NTSTATUS FltReadWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFILTER_EXTENSION ext = DeviceObject->DeviceExtension;
    UCHAR major = IoGetCurrentIrpStackLocation(Irp)->MajorFunction;
    FltpCount(&FltpStatsBlock()->Requests[major]);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, FltpReadWriteCompletion, (PVOID)(ULONG_PTR)major, TRUE, TRUE, TRUE);
    return IoCallDriver(ext->AttachedTo, Irp);
}
