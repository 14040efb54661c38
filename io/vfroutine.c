/* io/vfroutine.c - Verifier's view of a completion routine while it runs: whether it called
 * IoMarkIrpPending, posted its IRP to a work queue, or signalled an event, for the seed rules
 * "mark pending before posting" and "a routine that signals an event does not mark pending". */
#include "iop.h"

static LIST_ENTRY IopRoutineFrames = { &IopRoutineFrames, &IopRoutineFrames };
static KSPIN_LOCK IopRoutineLock;

/* The list is touched from routines at DISPATCH_LEVEL and at PASSIVE_LEVEL in any thread. */
static ULONG64 IopLockRoutines(void)
{
    return KiAcquireSpinLockInterruptsOff(&IopRoutineLock);
}
static VOID IopUnlockRoutines(ULONG64 f)
{
    KiReleaseSpinLockInterruptsOff(&IopRoutineLock, f);
}

/* KeSetEvent's hook: the running routine of this thread signalled Event. */
static VOID IopNoteEventSet(PRKEVENT Event)
{
    PKTHREAD me = KeGetCurrentThread();
    ULONG64 f = IopLockRoutines();
    for (PLIST_ENTRY e = IopRoutineFrames.Flink; e != &IopRoutineFrames; e = e->Flink) {
        PIOP_ROUTINE_FRAME fr = CONTAINING_RECORD(e, IOP_ROUTINE_FRAME, Link);
        /* only the routine's own event: its context, or inside the context it points to
         * (events the system sets meanwhile, e.g. to wake a worker thread, do not count) */
        if (fr->Thread == me && !fr->SignaledEvent && fr->Context &&
            (ULONG_PTR)Event - (ULONG_PTR)fr->Context < 256)
            fr->SignaledEvent = Event;
    }
    IopUnlockRoutines(f);
}

/* The completion walk, under I/O verification, around each routine call. */
VOID IopEnterRoutine(PIOP_ROUTINE_FRAME Frame)
{
    Frame->Thread = KeGetCurrentThread();
    Frame->Marked = FALSE;
    Frame->SignaledEvent = NULL;
    KiEventSetHook = IopNoteEventSet;
    ULONG64 f = IopLockRoutines();
    InsertHeadList(&IopRoutineFrames, &Frame->Link);
    IopUnlockRoutines(f);
}

/* After the routine returned (the IRP itself may be gone: only the frame is read). The event
 * rule is the seeds' case 1: a routine that signals the waiting dispatch routine and hands the
 * IRP back with STATUS_MORE_PROCESSING_REQUIRED must not have marked it pending (a routine that
 * merely releases a lock built on an event and lets completion go on is not that case). */
VOID IopLeaveRoutine(PIOP_ROUTINE_FRAME Frame, NTSTATUS Returned)
{
    ULONG64 f = IopLockRoutines();
    RemoveEntryList(&Frame->Link);
    IopUnlockRoutines(f);
    if (Frame->Marked && Frame->SignaledEvent && Returned == STATUS_MORE_PROCESSING_REQUIRED)
        IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, IOV_EVENT_ROUTINE_MARKED_PENDING,
                        (ULONG_PTR)Frame->Routine, (ULONG_PTR)Frame->Irp, (ULONG_PTR)Frame->SignaledEvent,
                        Frame->Device, (PVOID)Frame->Routine);
}

/* IRQL: any. IoMarkIrpPending's note to Verifier (include/wdm/io.h). Only the frames of this
 * processor's running thread: on another processor a routine that just signalled its event
 * may not have returned yet while the woken thread here resumes the same IRP's completion. */
VOID IoNoteIrpMarkedPending(PIRP Irp)
{
    if (IsListEmpty(&IopRoutineFrames))
        return;
    PKTHREAD me = KeGetCurrentThread();
    ULONG64 f = IopLockRoutines();
    for (PLIST_ENTRY e = IopRoutineFrames.Flink; e != &IopRoutineFrames; e = e->Flink) {
        PIOP_ROUTINE_FRAME fr = CONTAINING_RECORD(e, IOP_ROUTINE_FRAME, Link);
        if (fr->Irp == Irp && fr->Thread == me)
            fr->Marked = TRUE;
    }
    IopUnlockRoutines(f);
}

/* IoQueueWorkItem with Context: if Context is an IRP whose completion routine is running and
 * has not marked it pending yet, the worker could complete and free it first. */
VOID IopCheckPostedIrp(PVOID Context)
{
    PIOP_ROUTINE_FRAME bad = NULL;
    PKTHREAD me = KeGetCurrentThread();
    ULONG64 f = IopLockRoutines();
    for (PLIST_ENTRY e = IopRoutineFrames.Flink; e != &IopRoutineFrames; e = e->Flink) {
        PIOP_ROUTINE_FRAME fr = CONTAINING_RECORD(e, IOP_ROUTINE_FRAME, Link);
        if (fr->Irp == Context && !fr->Marked && fr->Thread == me)
            bad = fr;
    }
    IopUnlockRoutines(f);
    if (bad)
        IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, IOV_POSTED_BEFORE_MARKED_PENDING,
                        (ULONG_PTR)bad->Routine, (ULONG_PTR)bad->Irp, (ULONG_PTR)bad->Device, bad->Device,
                        (PVOID)bad->Routine);
}
