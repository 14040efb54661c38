/* io/complete.c - IoCompleteRequest: the walk up the stack locations calling completion
 * routines (the WRK/ReactOS algorithm, nt-semantics.md), then the final completion: IOSB,
 * buffered copy-back, MDL unlock, event, and the requesting thread's APC if it was pended. */
#include "iop.h"

/* Clears what a stack location carried for the driver below; the major function and device
 * stay, as on Windows. */
static VOID IopZeroStackLocation(PIO_STACK_LOCATION Sp)
{
    ULONG head; /* MajorFunction, MinorFunction, Flags, Control: keep the first, one store */
    __builtin_memcpy(&head, Sp, sizeof(head));
    head &= 0xFF;
    __builtin_memcpy(Sp, &head, sizeof(head));
    __builtin_memset(&Sp->Parameters, 0, sizeof(Sp->Parameters)); /* a few stores, no call */
    Sp->FileObject = NULL;
    Sp->CompletionRoutine = NULL;
    Sp->Context = NULL;
}

/* The walk while neither I/O verification nor the IRP trace is on (both are decided once, when
 * IoCompleteRequest is called): the same steps as the watched walk below, with nothing to
 * record. FALSE: a routine returned STATUS_MORE_PROCESSING_REQUIRED and the IRP is not ours. */
FORCEINLINE BOOLEAN IopCompleteWalkLean(PIRP Irp)
{
    for (;;) {
        PIO_STACK_LOCATION sp = Irp->Tail.Overlay.CurrentStackLocation++;
        CHAR location = ++Irp->CurrentLocation, top = (CHAR)(Irp->StackCount + 1);
        if (location > top)
            return TRUE;
        UCHAR control = sp->Control;
        Irp->PendingReturned = (control & SL_PENDING_RETURNED) != 0;
        PIO_COMPLETION_ROUTINE routine = sp->CompletionRoutine;
        UCHAR invokeOn = NT_SUCCESS(Irp->IoStatus.Status) ? SL_INVOKE_ON_SUCCESS : SL_INVOKE_ON_ERROR;
        if (Irp->Cancel)
            invokeOn |= SL_INVOKE_ON_CANCEL;
        if (!routine || !(control & invokeOn)) {
            if ((control & SL_PENDING_RETURNED) && location < top)
                (sp + 1)->Control |= SL_PENDING_RETURNED; /* the I/O manager propagates it */
            IopZeroStackLocation(sp);
            continue;
        }
        PVOID context = sp->Context;
        IopZeroStackLocation(sp);
        PDEVICE_OBJECT device = location == top ? NULL : (sp + 1)->DeviceObject;
        if (routine(device, Irp, context) == STATUS_MORE_PROCESSING_REQUIRED)
            return FALSE;
    }
}

static DECLSPEC_NORETURN __attribute__((noinline)) VOID IopCompleteFinishedIrp(PIRP Irp, PVOID Caller)
{
    KiSetBugCheckCulprit(NULL, Caller);
    KeBugCheckEx(BUGPARAMS_44(Irp));
}

static VOID IopCompleteRequestWatched(PIRP Irp, CCHAR PriorityBoost, PVOID Caller);

/* IRQL <= DISPATCH_LEVEL. */
VOID IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    /* Completing an IRP that already finished (and was not reused): its type, its location
     * past the top, or its final-completion mark gives it away. */
    if (Irp->Type != IO_TYPE_IRP || Irp->CurrentLocation > (CHAR)(Irp->StackCount + 1) ||
        (Irp->IopState & IOP_IRP_COMPLETED))
        IopCompleteFinishedIrp(Irp, __builtin_return_address(0));
    if (__builtin_expect(!IopVerifying() && !IopIrpTracing, 1)) {
        Irp->IopState &= ~IOP_IRP_DISPATCHED;
        if (IopCompleteWalkLean(Irp))
            IopCompleteFinal(Irp, PriorityBoost);
        return;
    }
    IopCompleteRequestWatched(Irp, PriorityBoost, __builtin_return_address(0));
}

/* The walk with Verifier's checks and frames, and the trace's records. Caller: the driver's
 * return address into IoCompleteRequest, for the stop's culprit and the records. */
static __attribute__((noinline)) VOID IopCompleteRequestWatched(PIRP Irp, CCHAR PriorityBoost, PVOID Caller)
{
    KIRQL irql = KeGetCurrentIrql();
    BOOLEAN verify = IopVerifying();
    PDEVICE_OBJECT completer = Irp->CurrentLocation <= Irp->StackCount
                                   ? IoGetCurrentIrpStackLocation(Irp)->DeviceObject : NULL;
    if (verify) {
        if (irql > DISPATCH_LEVEL)
            IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x0E, irql, (ULONG_PTR)Irp, 0, completer,
                            Caller);
        if (Irp->IoStatus.Status == STATUS_PENDING || Irp->IoStatus.Status == -1)
            IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x06, (ULONG_PTR)(ULONG)Irp->IoStatus.Status,
                            (ULONG_PTR)Irp, 0, completer, Caller);
        if (Irp->CancelRoutine)
            IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x07, (ULONG_PTR)Irp->CancelRoutine, (ULONG_PTR)Irp,
                            0, completer, Caller);
    }
    Irp->IopState &= ~IOP_IRP_DISPATCHED;
    IopTrace(IO_TRACE_COMPLETE_REQUEST, Irp, completer, completer ? completer->DriverObject : NULL,
             Irp->CurrentLocation <= Irp->StackCount ? IoGetCurrentIrpStackLocation(Irp)->MajorFunction : 0,
             Irp->CurrentLocation, Irp->PendingReturned, Caller, Irp->IoStatus.Status,
             IopTraceBegin(Irp));

    /* "From the next-highest to the highest": each pass leaves location sp for the one
     * above it, which is the location of the driver that registered sp's routine. */
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    for (Irp->CurrentLocation++, Irp->Tail.Overlay.CurrentStackLocation++;
         Irp->CurrentLocation <= (CHAR)(Irp->StackCount + 1);
         sp++, Irp->CurrentLocation++, Irp->Tail.Overlay.CurrentStackLocation++) {
        if (verify)
            IopFrameLocationPassed(Irp, sp);
        Irp->PendingReturned = (sp->Control & SL_PENDING_RETURNED) != 0;
        NTSTATUS st = Irp->IoStatus.Status;
        BOOLEAN invoke = sp->CompletionRoutine &&
                         ((NT_SUCCESS(st) && (sp->Control & SL_INVOKE_ON_SUCCESS)) ||
                          (!NT_SUCCESS(st) && (sp->Control & SL_INVOKE_ON_ERROR)) ||
                          (Irp->Cancel && (sp->Control & SL_INVOKE_ON_CANCEL)));
        if (!invoke) {
            /* No routine to propagate pending: the I/O manager does it, so the flag climbs. */
            if (Irp->PendingReturned && Irp->CurrentLocation <= Irp->StackCount)
                IoMarkIrpPending(Irp);
            IopZeroStackLocation(sp);
            continue;
        }
        PIO_COMPLETION_ROUTINE routine = sp->CompletionRoutine;
        PVOID context = sp->Context;
        UCHAR major = sp->MajorFunction;
        BOOLEAN oplock = verify && IopIsOplockRequest(sp); /* only Verifier asks */
        IopZeroStackLocation(sp);
        /* The routine's device is its own driver's, from its own (now current) location;
         * a driver that allocated no location for itself gets NULL. */
        PDEVICE_OBJECT device = Irp->CurrentLocation == (CHAR)(Irp->StackCount + 1)
                                    ? NULL : IoGetCurrentIrpStackLocation(Irp)->DeviceObject;
        if (verify) {
            if (MmIsAddressPageable((PVOID)routine))
                IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x227, (ULONG_PTR)routine, (ULONG_PTR)Irp,
                                (ULONG_PTR)device, device, (PVOID)routine);
            if (context && MmIsAddressPageable(context))
                IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, IOV_PAGEABLE_COMPLETION_CONTEXT,
                                (ULONG_PTR)routine, (ULONG_PTR)Irp, (ULONG_PTR)context, device, (PVOID)routine);
        }
        BOOLEAN pending = Irp->PendingReturned;
        IOP_ROUTINE_FRAME rf; /* Verifier's record of the call: built only when it watches */
        if (verify) {
            rf = (IOP_ROUTINE_FRAME){ .Irp = Irp, .Routine = routine, .Device = device, .Context = context };
            IopEnterRoutine(&rf);
        }
        /* The record's fields are read before the call (the routine may free the IRP and
         * delete its device), and only while the trace is on. */
        BOOLEAN tracing = IopIrpTracing;
        IOP_TRACE_BEGIN begin = { 0, NULL };
        CHAR location = 0;
        PDRIVER_OBJECT driver = NULL;
        if (__builtin_expect(tracing, 1)) {
            location = Irp->CurrentLocation;
            driver = device ? device->DriverObject : NULL;
            begin = IopTraceBeginSlow(Irp);
        }
        NTSTATUS rs = routine(device, Irp, context);
        if (verify)
            IopLeaveRoutine(&rf, rs);
        if (__builtin_expect(tracing, 1))
            IopTraceSlow(IO_TRACE_COMPLETION, Irp, device, driver, major, location, pending, (PVOID)routine, rs, begin);
        if (rs == STATUS_MORE_PROCESSING_REQUIRED) {
            if (verify && oplock)
                IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, IOV_OPLOCK_MORE_PROCESSING, (ULONG_PTR)routine,
                                (ULONG_PTR)Irp, (ULONG_PTR)device, device, (PVOID)routine);
            return; /* the IRP is no longer ours to touch */
        }
        /* Any other value counts as STATUS_SUCCESS. A routine that let completion go on must
         * have propagated pending into its own location. */
        if (verify && pending && Irp->CurrentLocation <= Irp->StackCount &&
            !(IoGetCurrentIrpStackLocation(Irp)->Control & SL_PENDING_RETURNED))
            IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x228, (ULONG_PTR)routine, (ULONG_PTR)Irp,
                            (ULONG_PTR)device, device, (PVOID)routine);
    }
    IopCompleteFinal(Irp, PriorityBoost);
}

VOID IoCompleteRequest(PIRP Irp, CCHAR PriorityBoost) { IofCompleteRequest(Irp, PriorityBoost); }

/* What the requesting thread sees: runs in its context (APC) if the request was pended,
 * else inline. A synchronous failure leaves the caller's IOSB and event alone. */
VOID IopFinishRequest(PIRP Irp)
{
    NTSTATUS st = Irp->IoStatus.Status;
    if ((Irp->Flags & IRP_BUFFERED_IO) && (Irp->Flags & IRP_INPUT_OPERATION) && !NT_ERROR(st) && Irp->UserBuffer &&
        Irp->IoStatus.Information)
        RtlCopyMemory(Irp->UserBuffer, Irp->AssociatedIrp.SystemBuffer, Irp->IoStatus.Information);
    if (!NT_ERROR(st) || Irp->PendingReturned) {
        if (Irp->UserIosb)
            *Irp->UserIosb = Irp->IoStatus;
        if (Irp->UserEvent)
            IopSignalEvent(Irp->UserEvent);
    }
    if (Irp->IopState & IOP_IRP_OWNED_BY_IO)
        IopReleaseIoOwnedIrp(Irp);
}

/* Every IRP passes here at most once: a completion routine that returned
 * STATUS_MORE_PROCESSING_REQUIRED stopped the walk before it, and its owner's later
 * IoCompleteRequest resumes the walk and arrives here then. */
VOID IopCompleteFinal(PIRP Irp, CCHAR Boost)
{
    if (Irp->IopState & IOP_IRP_COMPLETED) {
        KiSetBugCheckCulprit(NULL, __builtin_return_address(0));
        KeBugCheckEx(BUGPARAMS_44(Irp));
    }
    Irp->IopState |= IOP_IRP_COMPLETED;
    IopCount(FinalCompletions);
    if (Irp->IopState & IOP_IRP_TOP_LEVEL)
        IopCount(TopLevelCompleted[IopTopMajor(Irp)]);
    if (Irp->Flags & IRP_ASSOCIATED_IRP) {
        PIRP master = Irp->AssociatedIrp.MasterIrp;
        IopFreeMdlChain(Irp);
        IoFreeIrp(Irp);
        if (__atomic_sub_fetch(&master->AssociatedIrp.IrpCount, 1, __ATOMIC_SEQ_CST) == 0)
            IoCompleteRequest(master, Boost);
        return;
    }
    for (PMDL m = Irp->MdlAddress; m; m = m->Next)
        if (m->MdlFlags & MDL_PAGES_LOCKED)
            MmUnlockPages(m);
    if (Irp->PendingReturned && IopQueueCompletionApc(Irp, Boost))
        return;
    IopFinishRequest(Irp);
}

/* ---- IoSetCompletionRoutineEx: the driver stays loaded until its routine has run ---- */
typedef struct _IOP_UNLOAD_SAFE_CONTEXT {
    PIO_COMPLETION_ROUTINE Routine;
    PVOID Context;
    PDRIVER_OBJECT Driver;
} IOP_UNLOAD_SAFE_CONTEXT;

static NTSTATUS IopUnloadSafeCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    IOP_UNLOAD_SAFE_CONTEXT c = *(IOP_UNLOAD_SAFE_CONTEXT *)Context;
    ExFreePoolWithTag(Context, 'csUI');
    if (IopVerifying() && MmIsAddressPageable((PVOID)c.Routine))
        IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x227, (ULONG_PTR)c.Routine, (ULONG_PTR)Irp,
                        (ULONG_PTR)DeviceObject, DeviceObject, (PVOID)c.Routine);
    NTSTATUS st = c.Routine(DeviceObject, Irp, c.Context);
    ObDereferenceObject(c.Driver);
    return st;
}

/* IRQL: any. IoSetCompletionRoutine from the lowest location: Windows would write the routine
 * before the IRP's first location; here it stops as IoCallDriver does without a location. */
VOID IoNoNextIrpStackLocation(PIRP Irp)
{
    KiSetBugCheckCulprit(NULL, __builtin_return_address(0));
    KeBugCheckEx(NO_MORE_IRP_STACK_LOCATIONS, (ULONG_PTR)Irp, 0, 0, 0);
}

/* Test-only until fault injection exists: the next N calls fail as if pool were exhausted. */
volatile LONG IopCompletionRoutineExFailures;

/* IRQL <= DISPATCH_LEVEL. Can fail; the caller then completes the IRP itself. */
NTSTATUS IoSetCompletionRoutineEx(PDEVICE_OBJECT DeviceObject, PIRP Irp, PIO_COMPLETION_ROUTINE CompletionRoutine,
                                  PVOID Context, BOOLEAN InvokeOnSuccess, BOOLEAN InvokeOnError,
                                  BOOLEAN InvokeOnCancel)
{
    if (IopCompletionRoutineExFailures > 0 && __atomic_sub_fetch(&IopCompletionRoutineExFailures, 1, __ATOMIC_SEQ_CST) >= 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    IOP_UNLOAD_SAFE_CONTEXT *c = VfShouldFail(VfSiteCompletionEx, 0, __builtin_return_address(0))
                                     ? NULL : ExAllocatePoolWithTag(NonPagedPool, sizeof(*c), 'csUI');
    if (!c)
        return STATUS_INSUFFICIENT_RESOURCES;
    c->Routine = CompletionRoutine;
    c->Context = Context;
    c->Driver = DeviceObject->DriverObject;
    ObReferenceObject(c->Driver);
    IoSetCompletionRoutine(Irp, IopUnloadSafeCompletion, c, InvokeOnSuccess, InvokeOnError, InvokeOnCancel);
    return STATUS_SUCCESS;
}
