/* drivers/fltmgr/fltpend.c - operations a minifilter takes out of line: pended pre and post
 * callbacks, post work moved to PASSIVE_LEVEL when it is called at DISPATCH_LEVEL, work items. */
#include "fltmgrp.h"

/* IRQL <= DISPATCH_LEVEL. Stands for the pended pre-operation callback's return value. */
VOID FLTAPI FltCompletePendedPreOperation(PFLT_CALLBACK_DATA CallbackData, FLT_PREOP_CALLBACK_STATUS CallbackStatus,
                                          PVOID Context)
{
    PFLTP_IRP_CTRL c = FltpCtrl(CallbackData);
    if ((c->Data.Flags & FLTFL_CALLBACK_DATA_POST_OPERATION) ||
        CallbackStatus == FLT_PREOP_PENDING || CallbackStatus == FLT_PREOP_DISALLOW_FASTIO)
        FltpVerifierError(NULL, "FltCompletePendedPreOperation on an operation whose pre-operation callback "
                                "did not pend it, or with a status it cannot take", CallbackStatus);
    FltpResumePre(c, CallbackStatus, Context);
}

/* IRQL <= DISPATCH_LEVEL. The post callback that returned FLT_POSTOP_MORE_PROCESSING_REQUIRED
 * is done with the operation. */
VOID FLTAPI FltCompletePendedPostOperation(PFLT_CALLBACK_DATA CallbackData)
{
    PFLTP_IRP_CTRL c = FltpCtrl(CallbackData);
    if (!(c->Data.Flags & FLTFL_CALLBACK_DATA_POST_OPERATION))
        FltpVerifierError(NULL, "FltCompletePendedPostOperation on an operation no post-operation callback pended",
                          (ULONG_PTR)CallbackData);
    FltpResumePost(c);
}

/* PASSIVE_LEVEL, in a system worker: the safe post callback, then the operation goes on. */
static VOID FltpSafePostWorker(PVOID Context)
{
    PFLTP_IRP_CTRL c = Context;
    FLT_RELATED_OBJECTS o;
    FltpRelatedObjects(&o, c->Iopb.TargetInstance, c->Iopb.TargetFileObject);
    c->SafePost(&c->Data, &o, c->SafeContext, 0);
    FltCompletePendedPostOperation(&c->Data);
}

/* IRQL <= DISPATCH_LEVEL. At or below APC_LEVEL the safe callback runs at once; above, in a
 * worker at PASSIVE_LEVEL, with the operation held (FLT_POSTOP_MORE_PROCESSING_REQUIRED). It
 * is refused (FALSE) for paging I/O, for operations that are not IRPs and while draining,
 * where nothing may be posted, as the WDK documents. */
BOOLEAN FLTAPI FltDoCompletionProcessingWhenSafe(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects,
                                                 PVOID CompletionContext, FLT_POST_OPERATION_FLAGS Flags,
                                                 PFLT_POST_OPERATION_CALLBACK SafePostCallback,
                                                 PFLT_POSTOP_CALLBACK_STATUS RetPostOperationStatus)
{
    PFLTP_IRP_CTRL c = FltpCtrl(Data);
    if ((Flags & FLTFL_POST_OPERATION_DRAINING) || !(Data->Flags & FLTFL_CALLBACK_DATA_IRP_OPERATION) ||
        (Data->Iopb->IrpFlags & IRP_PAGING_IO))
        return FALSE;
    if (KeGetCurrentIrql() <= APC_LEVEL) {
        *RetPostOperationStatus = SafePostCallback(Data, FltObjects, CompletionContext, Flags);
        return TRUE;
    }
    c->SafePost = SafePostCallback;
    c->SafeContext = CompletionContext;
    __atomic_add_fetch(&FltpGlobals.SafePosted, 1, __ATOMIC_RELAXED);
    ExInitializeWorkItem(&c->Work, FltpSafePostWorker, c);
    ExQueueWorkItem(&c->Work, DelayedWorkQueue);
    *RetPostOperationStatus = FLT_POSTOP_MORE_PROCESSING_REQUIRED;
    return TRUE;
}

/* IRQL <= DISPATCH_LEVEL. As IoIsOperationSynchronous decides, plus creates, which always are. */
BOOLEAN FLTAPI FltIsOperationSynchronous(PFLT_CALLBACK_DATA CallbackData)
{
    PFLTP_IRP_CTRL c = FltpCtrl(CallbackData);
    PFILE_OBJECT fo = CallbackData->Iopb->TargetFileObject;
    if (!(CallbackData->Flags & FLTFL_CALLBACK_DATA_IRP_OPERATION) || CallbackData->Iopb->MajorFunction == IRP_MJ_CREATE)
        return TRUE;
    if (c->Irp->Flags & IRP_SYNCHRONOUS_API)
        return TRUE;
    return fo && (fo->Flags & FO_SYNCHRONOUS_IO) && !(c->Irp->Flags & IRP_PAGING_IO);
}

/* IRQL <= DISPATCH_LEVEL. A filter that changed the parameters says so. */
VOID FLTAPI FltSetCallbackDataDirty(PFLT_CALLBACK_DATA Data) { Data->Flags |= FLTFL_CALLBACK_DATA_DIRTY; }
VOID FLTAPI FltClearCallbackDataDirty(PFLT_CALLBACK_DATA Data) { Data->Flags &= ~FLTFL_CALLBACK_DATA_DIRTY; }
BOOLEAN FLTAPI FltIsCallbackDataDirty(PFLT_CALLBACK_DATA Data) { return (Data->Flags & FLTFL_CALLBACK_DATA_DIRTY) != 0; }

/* ---- Work items: a WORK_QUEUE_ITEM with the routine's arguments beside it ---- */
typedef struct _FLT_DEFERRED_IO_WORKITEM {
    WORK_QUEUE_ITEM Item;
    PFLT_CALLBACK_DATA Data;
    PFLT_DEFERRED_IO_WORKITEM_ROUTINE Routine;
    PVOID FltObject;
    PFLT_GENERIC_WORKITEM_ROUTINE GenericRoutine;
    PVOID Context;
} FLT_DEFERRED_IO_WORKITEM;
typedef struct _FLT_DEFERRED_IO_WORKITEM FLTP_WORKITEM;

static VOID FltpRunWorkItem(PVOID Parameter)
{
    FLTP_WORKITEM *w = Parameter;
    if (w->Routine)
        w->Routine(w, w->Data, w->Context);
    else
        w->GenericRoutine((PFLT_GENERIC_WORKITEM)w, w->FltObject, w->Context);
}

/* IRQL <= DISPATCH_LEVEL. */
PFLT_DEFERRED_IO_WORKITEM FLTAPI FltAllocateDeferredIoWorkItem(void)
{
    return ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(FLTP_WORKITEM), FLTP_TAG);
}

VOID FLTAPI FltFreeDeferredIoWorkItem(PFLT_DEFERRED_IO_WORKITEM FltWorkItem) { ExFreePoolWithTag(FltWorkItem, FLTP_TAG); }

/* IRQL <= DISPATCH_LEVEL. Only IRP operations can be deferred, and not paging I/O, whose
 * thread may hold the locks a worker needs (STATUS_FLT_NOT_SAFE_TO_POST_OPERATION). */
NTSTATUS FLTAPI FltQueueDeferredIoWorkItem(PFLT_DEFERRED_IO_WORKITEM FltWorkItem, PFLT_CALLBACK_DATA Data,
                                           PFLT_DEFERRED_IO_WORKITEM_ROUTINE WorkerRoutine,
                                           WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    if (!(Data->Flags & FLTFL_CALLBACK_DATA_IRP_OPERATION) || (Data->Iopb->IrpFlags & IRP_PAGING_IO))
        return STATUS_FLT_NOT_SAFE_TO_POST_OPERATION;
    FltWorkItem->Data = Data;
    FltWorkItem->Routine = WorkerRoutine;
    FltWorkItem->Context = Context;
    ExInitializeWorkItem(&FltWorkItem->Item, FltpRunWorkItem, FltWorkItem);
    ExQueueWorkItem(&FltWorkItem->Item, QueueType);
    return STATUS_SUCCESS;
}

PFLT_GENERIC_WORKITEM FLTAPI FltAllocateGenericWorkItem(void)
{
    return (PFLT_GENERIC_WORKITEM)ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(FLTP_WORKITEM), FLTP_TAG);
}

VOID FLTAPI FltFreeGenericWorkItem(PFLT_GENERIC_WORKITEM FltWorkItem) { ExFreePoolWithTag(FltWorkItem, FLTP_TAG); }

NTSTATUS FLTAPI FltQueueGenericWorkItem(PFLT_GENERIC_WORKITEM FltWorkItem, PVOID FltObject,
                                        PFLT_GENERIC_WORKITEM_ROUTINE WorkerRoutine, WORK_QUEUE_TYPE QueueType,
                                        PVOID Context)
{
    FLTP_WORKITEM *w = (FLTP_WORKITEM *)FltWorkItem;
    w->Routine = NULL;
    w->GenericRoutine = WorkerRoutine;
    w->FltObject = FltObject;
    w->Context = Context;
    ExInitializeWorkItem(&w->Item, FltpRunWorkItem, w);
    ExQueueWorkItem(&w->Item, QueueType);
    return STATUS_SUCCESS;
}
