/* drivers/fltmgr/fltdispatch.c - one operation through the minifilters: pre-operation callbacks
 * highest altitude first, the IRP down the stack, post-operation callbacks lowest altitude first. */
#include "fltmgrp.h"

_Static_assert(sizeof(FLT_PARAMETERS) >= sizeof(((PIO_STACK_LOCATION)0)->Parameters),
               "FLT_PARAMETERS starts with the IRP stack location's parameters");

/* IRQL <= DISPATCH_LEVEL. The instances on the volume that registered for Major, each held
 * (Operations) until the operation is done with it. */
ULONG FltpSnapshot(PFLT_VOLUME Volume, UCHAR Major, PFLT_INSTANCE *Out)
{
    ULONG n = 0;
    KIRQL irql;
    if (FltpVolumeHasNoInstances(Volume)) /* nothing to hold, and no lock to take for it */
        return 0;
    KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
    for (PLIST_ENTRY l = Volume->Instances.Flink; l != &Volume->Instances && n < FLTP_MAX_INSTANCES; l = l->Flink) {
        PFLT_INSTANCE i = CONTAINING_RECORD(l, FLT_INSTANCE, VolumeLink);
        if (!i->TearingDown && (i->Filter->Pre[Major] || i->Filter->Post[Major])) {
            __atomic_add_fetch(&i->Operations, 1, __ATOMIC_SEQ_CST);
            Out[n++] = i;
        }
    }
    KeReleaseSpinLock(&FltpGlobals.Lock, irql);
    return n;
}

/* IRQL <= DISPATCH_LEVEL. The operation is done with the instance. */
VOID FltpDrop(PFLT_INSTANCE Instance)
{
    if (__atomic_sub_fetch(&Instance->Operations, 1, __ATOMIC_SEQ_CST) == 0 && Instance->TearingDown)
        KeSetEvent(&Instance->Idle, IO_NO_INCREMENT, FALSE);
}

/* A callback pended the operation. The pender's thread and the resumer's race: whichever
 * comes second carries the operation on, so neither touches an IRP the other completed.
 * Gate: 0 idle, 1 the pender has left, 2 the resume came first. */
static BOOLEAN FltpPendLeave(PFLTP_IRP_CTRL Ctrl)
{
    LONG expected = 0;
    if (__atomic_compare_exchange_n(&Ctrl->Gate, &expected, 1, FALSE, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        return TRUE;  /* the resumer will carry on */
    Ctrl->Gate = 0;   /* the resume already came: carry on here */
    return FALSE;
}

BOOLEAN FltpPendArrive(PFLTP_IRP_CTRL Ctrl)
{
    LONG expected = 0;
    if (__atomic_compare_exchange_n(&Ctrl->Gate, &expected, 2, FALSE, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        return FALSE; /* the pender is still inside its callback's caller: it carries on */
    Ctrl->Gate = 0;
    return TRUE;
}

/* IRQL <= DISPATCH_LEVEL. The control block outlives the operation while a teardown is
 * still calling a draining post callback with its callback data. */
VOID FltpReleaseCtrl(PFLTP_IRP_CTRL Ctrl)
{
    if (__atomic_sub_fetch(&Ctrl->Refs, 1, __ATOMIC_SEQ_CST) == 0)
        ExFreePoolWithTag(Ctrl, FLTP_CTRL_TAG);
}

static VOID FltpFreeCtrl(PFLTP_IRP_CTRL Ctrl)
{
    for (ULONG i = Ctrl->Next; i < Ctrl->InstanceCount; i++)
        FltpDrop(Ctrl->Instances[i]); /* never reached: the operation completed above them */
    FltpReleaseCtrl(Ctrl);
}

/* The pended operation's IRP must be marked before its callback's caller returns
 * STATUS_PENDING; outside the I/O completion routine that caller is our dispatch routine. */
static VOID FltpMarkPending(PFLTP_IRP_CTRL Ctrl)
{
    if (!Ctrl->InCompletionRoutine && !Ctrl->DispatchReturned) {
        IoMarkIrpPending(Ctrl->Irp);
        Ctrl->DispatchReturned = TRUE;
    }
}

/* The post walk is over: the callback data's status goes back into the IRP. Inside the I/O
 * completion routine the I/O manager carries on; anywhere else we complete the IRP. */
static NTSTATUS FltpFinish(PFLTP_IRP_CTRL Ctrl)
{
    PIRP irp = Ctrl->Irp;
    BOOLEAN inRoutine = Ctrl->InCompletionRoutine, pended = Ctrl->DispatchReturned;
    NTSTATUS status = Ctrl->Data.IoStatus.Status;
    irp->IoStatus = Ctrl->Data.IoStatus;
    FltpFreeCtrl(Ctrl);
    if (inRoutine)
        return STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return pended ? STATUS_PENDING : status;
}

/* IRQL <= DISPATCH_LEVEL (PASSIVE_LEVEL for synchronised operations). Post callbacks in the
 * reverse order of the pre callbacks, each at most once: a teardown may have drained it. */
static NTSTATUS FltpWalkPost(PFLTP_IRP_CTRL Ctrl)
{
    UCHAR major = Ctrl->Iopb.MajorFunction;
    Ctrl->Data.Flags |= FLTFL_CALLBACK_DATA_POST_OPERATION;
    for (;;) {
        KIRQL irql;
        FLTP_COMPLETION_NODE *node = NULL;
        KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
        while (Ctrl->PostNext > 0) {
            ULONG i = --Ctrl->PostNext;
            if (!Ctrl->Stack[i].Called) {
                node = &Ctrl->Stack[i];
                node->Called = TRUE;
                RemoveEntryList(&node->Link);
                break;
            }
        }
        KeReleaseSpinLock(&FltpGlobals.Lock, irql);
        if (!node)
            return FltpFinish(Ctrl);
        PFLT_INSTANCE inst = node->Instance;
        FLT_RELATED_OBJECTS objects;
        FltpRelatedObjects(&objects, inst, Ctrl->Iopb.TargetFileObject);
        Ctrl->Iopb.TargetInstance = inst;
        __atomic_add_fetch(&FltpGlobals.PostCalls, 1, __ATOMIC_RELAXED);
        FLT_POSTOP_CALLBACK_STATUS st = inst->Filter->Post[major](&Ctrl->Data, &objects, node->Context, 0);
        if (st == FLT_POSTOP_MORE_PROCESSING_REQUIRED) {
            Ctrl->PendedBy = inst;
            __atomic_add_fetch(&inst->Filter->Pended, 1, __ATOMIC_SEQ_CST);
            FltpMarkPending(Ctrl);
            BOOLEAN inRoutine = Ctrl->InCompletionRoutine; /* read before the resumer may run */
            if (FltpPendLeave(Ctrl))
                return inRoutine ? STATUS_MORE_PROCESSING_REQUIRED : STATUS_PENDING;
            Ctrl->PendedBy = NULL; /* FltCompletePendedPostOperation already came: go on here */
        } else if (st != FLT_POSTOP_FINISHED_PROCESSING)
            FltpVerifierError(inst->Filter, "A filter returned an unknown post-operation callback status", st);
        FltpDrop(inst);
    }
}

/* IO_COMPLETION_ROUTINE for synchronised operations: it signals an event, so it does not
 * mark the IRP pending, and keeps the IRP for the waiting dispatch routine. */
static NTSTATUS FltpSyncCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent(&((PFLTP_IRP_CTRL)Context)->Done, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* IO_COMPLETION_ROUTINE, IRQL <= DISPATCH_LEVEL, arbitrary thread: post callbacks run here,
 * at the IRQL the lower driver completed at (DISPATCH_LEVEL with the asynchronous disk). */
static NTSTATUS FltpAsyncCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PFLTP_IRP_CTRL ctrl = Context;
    UNREFERENCED_PARAMETER(DeviceObject);
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp); /* already marked by our dispatch routine; the rule holds anyway */
    ctrl->Data.IoStatus = Irp->IoStatus;
    ctrl->InCompletionRoutine = TRUE;
    ctrl->PostNext = ctrl->Depth;
    return FltpWalkPost(ctrl);
}

/* The callback data's parameters (a filter may have changed them) go into the next location. */
static VOID FltpApplyIopb(PFLTP_IRP_CTRL Ctrl)
{
    PIRP irp = Ctrl->Irp;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    IoCopyCurrentIrpStackLocationToNext(irp);
    next->MinorFunction = Ctrl->Iopb.MinorFunction;
    next->Flags = Ctrl->Iopb.OperationFlags;
    next->FileObject = Ctrl->Iopb.TargetFileObject;
    RtlCopyMemory(&next->Parameters, &Ctrl->Iopb.Parameters, sizeof(next->Parameters));
    if ((Ctrl->Data.Flags & FLTFL_CALLBACK_DATA_DIRTY) &&
        (Ctrl->Iopb.MajorFunction == IRP_MJ_READ || Ctrl->Iopb.MajorFunction == IRP_MJ_WRITE)) {
        irp->UserBuffer = Ctrl->Iopb.Parameters.Read.ReadBuffer; /* Read and Write share the layout */
        irp->MdlAddress = Ctrl->Iopb.Parameters.Read.MdlAddress;
    }
}

static NTSTATUS FltpSendDown(PFLTP_IRP_CTRL Ctrl)
{
    PIRP irp = Ctrl->Irp;
    PDEVICE_OBJECT lower = ((PFLTP_FRAME_EXTENSION)Ctrl->Volume->Frame->DeviceExtension)->AttachedTo;
    FltpApplyIopb(Ctrl);
    if (Ctrl->Depth == 0) { /* nobody asked for a post callback */
        BOOLEAN pended = Ctrl->DispatchReturned;
        FltpFreeCtrl(Ctrl);
        NTSTATUS status = IoCallDriver(lower, irp);
        return pended ? STATUS_PENDING : status;
    }
    Ctrl->SentDown = TRUE;
    if (Ctrl->Synchronize) {
        IoSetCompletionRoutine(irp, FltpSyncCompletion, Ctrl, TRUE, TRUE, TRUE);
        if (IoCallDriver(lower, irp) == STATUS_PENDING)
            KeWaitForSingleObject(&Ctrl->Done, Executive, KernelMode, FALSE, NULL);
        Ctrl->Data.IoStatus = irp->IoStatus;
        Ctrl->PostNext = Ctrl->Depth;
        return FltpWalkPost(Ctrl);
    }
    FltpMarkPending(Ctrl); /* post callbacks may run, and pend, before IoCallDriver returns */
    IoSetCompletionRoutine(irp, FltpAsyncCompletion, Ctrl, TRUE, TRUE, TRUE);
    IoCallDriver(lower, irp);
    return STATUS_PENDING;
}

/* IRQL <= DISPATCH_LEVEL. Pre callbacks from the walk's position down; returns what our
 * dispatch routine returns (ignored when a pended operation resumes). */
static NTSTATUS FltpWalkPre(PFLTP_IRP_CTRL Ctrl, BOOLEAN Resuming, FLT_PREOP_CALLBACK_STATUS Resumed,
                            PVOID ResumedContext)
{
    UCHAR major = Ctrl->Iopb.MajorFunction;
    BOOLEAN resuming = Resuming;
    while (Ctrl->Next < Ctrl->InstanceCount) {
        PFLT_INSTANCE inst = Ctrl->Instances[Ctrl->Next];
        PFLT_FILTER f = inst->Filter;
        FLT_PREOP_CALLBACK_STATUS st = FLT_PREOP_SUCCESS_WITH_CALLBACK;
        PVOID context = NULL;
        if (resuming) {
            st = Resumed; /* FltCompletePendedPreOperation stands for the callback's return */
            context = ResumedContext;
            resuming = FALSE;
            Ctrl->PendedBy = NULL;
        } else if (inst->TearingDown || ((f->OpFlags[major] & FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO) &&
                                         (Ctrl->Irp->Flags & IRP_PAGING_IO))) {
            st = FLT_PREOP_SUCCESS_NO_CALLBACK;
        } else if (f->Pre[major]) {
            FLT_RELATED_OBJECTS objects;
            FltpRelatedObjects(&objects, inst, Ctrl->Iopb.TargetFileObject);
            Ctrl->Iopb.TargetInstance = inst;
            __atomic_add_fetch(&FltpGlobals.PreCalls, 1, __ATOMIC_RELAXED);
            st = f->Pre[major](&Ctrl->Data, &objects, &context);
        }
        switch (st) {
        case FLT_PREOP_SUCCESS_WITH_CALLBACK:
        case FLT_PREOP_SYNCHRONIZE: {
            if (!f->Post[major])
                KeBugCheckEx(FLTMGR_FILE_SYSTEM, FLTMGR_NO_POST_CALLBACK, (ULONG_PTR)&Ctrl->Data, 0, 0);
            KIRQL irql;
            ULONG d = Ctrl->Depth++;
            Ctrl->Stack[d].Instance = inst;
            Ctrl->Stack[d].Context = context;
            Ctrl->Stack[d].Called = FALSE;
            Ctrl->Stack[d].Ctrl = Ctrl;
            KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
            InsertTailList(&inst->InFlight, &Ctrl->Stack[d].Link);
            KeReleaseSpinLock(&FltpGlobals.Lock, irql);
            Ctrl->Synchronize |= st == FLT_PREOP_SYNCHRONIZE;
            Ctrl->Next++;
            break;
        }
        case FLT_PREOP_SUCCESS_NO_CALLBACK:
        case FLT_PREOP_DISALLOW_FASTIO:
            Ctrl->Next++;
            FltpDrop(inst);
            break;
        case FLT_PREOP_COMPLETE:
            Ctrl->Next++;
            FltpDrop(inst);
            Ctrl->PostNext = Ctrl->Depth; /* the filters above still get their post callbacks */
            return FltpWalkPost(Ctrl);
        case FLT_PREOP_PENDING:
            Ctrl->PendedBy = inst;
            __atomic_add_fetch(&f->Pended, 1, __ATOMIC_SEQ_CST);
            FltpMarkPending(Ctrl);
            if (FltpPendLeave(Ctrl))
                return STATUS_PENDING;
            Resumed = Ctrl->ResumeStatus; /* the resume already came: take its status now */
            ResumedContext = Ctrl->ResumeContext;
            resuming = TRUE;
            break;
        default:
            FltpVerifierError(f, "A filter returned an unknown pre-operation callback status", st);
        }
    }
    return FltpSendDown(Ctrl);
}

/* DRIVER_DISPATCH of a volume frame, IRQL <= DISPATCH_LEVEL. Operations no instance asked
 * for pass straight down. */
NTSTATUS FltpDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFLTP_FRAME_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    PFLT_INSTANCE snapshot[FLTP_MAX_INSTANCES];
    ULONG n = ext->Volume->Dismounting ? 0 : FltpSnapshot(ext->Volume, sl->MajorFunction, snapshot);
    PFLTP_IRP_CTRL c = n ? ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*c), FLTP_CTRL_TAG) : NULL;
    if (!c) {
        for (ULONG i = 0; i < n; i++)
            FltpDrop(snapshot[i]);
        IoSkipCurrentIrpStackLocation(Irp);
        return IoCallDriver(ext->AttachedTo, Irp);
    }
    *(PETHREAD *)&c->Data.Thread = Irp->Tail.Overlay.Thread;
    *(PFLT_IO_PARAMETER_BLOCK *)&c->Data.Iopb = &c->Iopb;
    c->Data.Flags = FLTFL_CALLBACK_DATA_IRP_OPERATION | ((Irp->Flags & IRP_BUFFERED_IO) ? FLTFL_CALLBACK_DATA_SYSTEM_BUFFER : 0);
    c->Data.RequestorMode = Irp->RequestorMode;
    c->Iopb.IrpFlags = Irp->Flags;
    c->Iopb.MajorFunction = sl->MajorFunction;
    c->Iopb.MinorFunction = sl->MinorFunction;
    c->Iopb.OperationFlags = sl->Flags;
    c->Iopb.TargetFileObject = sl->FileObject;
    RtlCopyMemory(&c->Iopb.Parameters, &sl->Parameters, sizeof(sl->Parameters));
    switch (sl->MajorFunction) { /* the buffers the WDK's FLT_PARAMETERS adds to the IRP's */
    case IRP_MJ_READ:
    case IRP_MJ_WRITE:
        c->Iopb.Parameters.Read.ReadBuffer = Irp->UserBuffer;
        c->Iopb.Parameters.Read.MdlAddress = Irp->MdlAddress;
        break;
    case IRP_MJ_QUERY_INFORMATION:
        c->Iopb.Parameters.QueryFileInformation.InfoBuffer = Irp->AssociatedIrp.SystemBuffer;
        break;
    case IRP_MJ_SET_INFORMATION:
        c->Iopb.Parameters.SetFileInformation.InfoBuffer = Irp->AssociatedIrp.SystemBuffer;
        break;
    case IRP_MJ_QUERY_VOLUME_INFORMATION:
        c->Iopb.Parameters.QueryVolumeInformation.VolumeBuffer = Irp->AssociatedIrp.SystemBuffer;
        break;
    case IRP_MJ_DIRECTORY_CONTROL:
        c->Iopb.Parameters.DirectoryControl.QueryDirectory.DirectoryBuffer = Irp->UserBuffer;
        c->Iopb.Parameters.DirectoryControl.QueryDirectory.MdlAddress = Irp->MdlAddress;
        break;
    }
    c->Irp = Irp;
    c->Refs = 1;
    c->Volume = ext->Volume;
    c->InstanceCount = n;
    RtlCopyMemory(c->Instances, snapshot, n * sizeof(snapshot[0]));
    KeInitializeEvent(&c->Done, NotificationEvent, FALSE);
    /* Post-create runs at PASSIVE_LEVEL in the creating thread, as on Windows. */
    c->Synchronize = sl->MajorFunction == IRP_MJ_CREATE;
    __atomic_add_fetch(&FltpGlobals.Operations, 1, __ATOMIC_RELAXED);
    return FltpWalkPre(c, FALSE, FLT_PREOP_SUCCESS_WITH_CALLBACK, NULL);
}

/* IRQL <= DISPATCH_LEVEL (the continuation runs at PASSIVE_LEVEL: a synchronised operation
 * waits for the lower driver). */
static VOID FltpResumePreWorker(PVOID Context)
{
    PFLTP_IRP_CTRL c = Context;
    FltpWalkPre(c, TRUE, c->ResumeStatus, c->ResumeContext);
}

/* The resume may come before the pended callback has even returned (its worker preempts the
 * thread): the pender is the instance being called, Iopb.TargetInstance. */
VOID FltpResumePre(PFLTP_IRP_CTRL Ctrl, FLT_PREOP_CALLBACK_STATUS Status, PVOID Context)
{
    Ctrl->ResumeStatus = Status;
    Ctrl->ResumeContext = Context;
    __atomic_sub_fetch(&Ctrl->Iopb.TargetInstance->Filter->Pended, 1, __ATOMIC_SEQ_CST);
    if (!FltpPendArrive(Ctrl))
        return;
    if (KeGetCurrentIrql() == PASSIVE_LEVEL) {
        FltpWalkPre(Ctrl, TRUE, Status, Context);
    } else {
        ExInitializeWorkItem(&Ctrl->Work, FltpResumePreWorker, Ctrl);
        ExQueueWorkItem(&Ctrl->Work, CriticalWorkQueue);
    }
}

/* IRQL <= DISPATCH_LEVEL. The pending post callback is done: the walk goes on from the next
 * instance up, and the IRP completes when it is over. */
VOID FltpResumePost(PFLTP_IRP_CTRL Ctrl)
{
    PFLT_INSTANCE inst = Ctrl->Iopb.TargetInstance;
    __atomic_sub_fetch(&inst->Filter->Pended, 1, __ATOMIC_SEQ_CST);
    if (!FltpPendArrive(Ctrl))
        return;
    Ctrl->PendedBy = NULL;
    Ctrl->InCompletionRoutine = FALSE;
    FltpDrop(inst);
    FltpWalkPost(Ctrl);
}
