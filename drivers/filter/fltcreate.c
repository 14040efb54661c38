/* drivers/filter/fltcreate.c - IRP_MJ_CREATE, the seeds' case 1: the dispatch routine waits
 * for an event its completion routine signals, then finishes the IRP itself at PASSIVE_LEVEL. */
#include "filter.h"

/* IO_COMPLETION_ROUTINE. It signals an event, so it must not call IoMarkIrpPending, and it
 * returns STATUS_MORE_PROCESSING_REQUIRED so the I/O manager leaves the IRP to the waiter. */
static NTSTATUS FltpCreateCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    FltRecordCompletion(IRP_MJ_CREATE, Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* IRQL == PASSIVE_LEVEL (creates always arrive there; the wait needs it). The event is on
 * this stack, which stays resident because the thread is waiting on it. */
NTSTATUS FltCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFILTER_EXTENSION ext = DeviceObject->DeviceExtension;
    KEVENT event;
    NTSTATUS status;

    FltpCount(&FltpStatsBlock()->Requests[IRP_MJ_CREATE]);
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, FltpCreateCompletion, &event, TRUE, TRUE, TRUE);
    status = IoCallDriver(ext->AttachedTo, Irp);
    if (status == STATUS_PENDING) {
        FltpCount(&FltpStatsBlock()->CreateWaits);
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    }
    status = Irp->IoStatus.Status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}
