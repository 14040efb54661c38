/* drivers/filter/fltpost.c - the seeds' case 2: the completion routine marks the IRP pending,
 * posts it to a worker queue and returns STATUS_MORE_PROCESSING_REQUIRED; the dispatch routine
 * returned STATUS_PENDING; the worker finishes the IRP at PASSIVE_LEVEL. */
#include "filter.h"

/* IRQL == PASSIVE_LEVEL, in a system worker thread. */
static VOID FltpPostedWork(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PIRP irp = Context;
    PIO_WORKITEM item = irp->Tail.Overlay.DriverContext[0];
    UNREFERENCED_PARAMETER(DeviceObject);
    if (KeGetCurrentIrql() == PASSIVE_LEVEL)
        FltpCount(&FltpStatsBlock()->PostedFinishedAtPassive);
    FltRecordCompletion(IoGetCurrentIrpStackLocation(irp)->MajorFunction, irp);
    IoFreeWorkItem(item);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

/* IO_COMPLETION_ROUTINE, IRQL <= DISPATCH_LEVEL. IoMarkIrpPending comes before the post:
 * once queued, the worker may complete and free the IRP at any moment. */
static NTSTATUS FltpPostCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    IoMarkIrpPending(Irp);
    Irp->Tail.Overlay.DriverContext[0] = Context;
    FltpCount(&FltpStatsBlock()->Posted);
    IoQueueWorkItem((PIO_WORKITEM)Context, FltpPostedWork, DelayedWorkQueue, Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* IRQL <= DISPATCH_LEVEL. Used for IRP_MJ_FLUSH_BUFFERS: the work item is allocated here,
 * where failure can still be handled by passing the request straight down. */
NTSTATUS FltPostToWorker(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFILTER_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_WORKITEM item = IoAllocateWorkItem(DeviceObject);
    if (!item)
        return FltPassThrough(DeviceObject, Irp);
    FltpCount(&FltpStatsBlock()->Requests[IoGetCurrentIrpStackLocation(Irp)->MajorFunction]);
    IoMarkIrpPending(Irp);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, FltpPostCompletion, item, TRUE, TRUE, TRUE);
    IoCallDriver(ext->AttachedTo, Irp);
    return STATUS_PENDING;
}
