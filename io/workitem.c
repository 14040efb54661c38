/* io/workitem.c - I/O work items: an executive work item that holds a reference on its
 * device object from IoQueueWorkItem until the routine has run, so the device (and its
 * driver) cannot go away underneath it. */
#include "iop.h"

#pragma weak ExQueueWorkItem

typedef struct _IO_WORKITEM {
    WORK_QUEUE_ITEM Item;
    PDEVICE_OBJECT DeviceObject;
    PIO_WORKITEM_ROUTINE Routine;
    PVOID Context;
    volatile LONG Queued;
} IO_WORKITEM;

static VOID IopWorkItemRoutine(PVOID Parameter)
{
    PIO_WORKITEM w = Parameter;
    PDEVICE_OBJECT d = w->DeviceObject;
    PIO_WORKITEM_ROUTINE r = w->Routine;
    PVOID c = w->Context;
    w->Queued = 0;
    r(d, c); /* the routine may free the work item */
    ObDereferenceObject(d);
}

/* IRQL <= DISPATCH_LEVEL. NULL when nonpaged pool is exhausted. */
PIO_WORKITEM IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject)
{
    if (VfShouldFail(VfSiteWorkItem, 0, __builtin_return_address(0)))
        return NULL;
    PIO_WORKITEM w = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(IO_WORKITEM), 'iwOI');
    if (w)
        w->DeviceObject = DeviceObject;
    return w;
}

/* IRQL <= DISPATCH_LEVEL. */
VOID IoFreeWorkItem(PIO_WORKITEM IoWorkItem)
{
    if (IoWorkItem->Queued)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xD0 /* work item freed while queued */,
                     (ULONG_PTR)IoWorkItem, 0, 0);
    ExFreePoolWithTag(IoWorkItem, 'iwOI');
}

/* IRQL <= DISPATCH_LEVEL. */
VOID IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType,
                     PVOID Context)
{
    if (IopVerifying())
        IopCheckPostedIrp(Context);
    ObReferenceObject(IoWorkItem->DeviceObject);
    IoWorkItem->Routine = WorkerRoutine;
    IoWorkItem->Context = Context;
    IoWorkItem->Queued = 1;
    ExInitializeWorkItem(&IoWorkItem->Item, IopWorkItemRoutine, IoWorkItem);
    ExQueueWorkItem(&IoWorkItem->Item, QueueType);
}
