/* ke/wait.c - waiting on dispatcher objects: wait blocks linked into each object's wait
 * list, satisfaction rules per object type, timeouts through the thread's own timer. */
#include "ki.h"
#include "../hal/hal.h"

PCSTR KiObjectTypeName(ULONG Type)
{
    switch (Type) {
    case EventNotificationObject: return "NotificationEvent";
    case EventSynchronizationObject: return "SynchronizationEvent";
    case MutantObject: return "Mutex";
    case SemaphoreObject: return "Semaphore";
    case ThreadObject: return "Thread";
    case TimerNotificationObject: return "NotificationTimer";
    case TimerSynchronizationObject: return "SynchronizationTimer";
    default: return "Object";
    }
}

/* DISPATCH_LEVEL. A mutex is also signaled for the thread that owns it (recursion). */
BOOLEAN KiIsObjectSignaled(DISPATCHER_HEADER *Object, PKTHREAD Thread)
{
    if (Object->Type == MutantObject)
        return Object->SignalState > 0 || ((PKMUTANT)Object)->OwnerThread == Thread;
    return Object->SignalState > 0;
}

/* DISPATCH_LEVEL. What a satisfied wait takes from the object. Returns STATUS_ABANDONED when
 * the thread takes a mutant its last owner left behind by exiting (the wait reports
 * STATUS_ABANDONED_WAIT_0 + index), else 0; the new owner clears the abandoned state. */
NTSTATUS KiSatisfyWait(DISPATCHER_HEADER *Object, PKTHREAD Thread)
{
    NTSTATUS abandoned = 0;
    switch (Object->Type) {
    case EventSynchronizationObject:
    case TimerSynchronizationObject:
        Object->SignalState = 0;
        break;
    case SemaphoreObject:
        Object->SignalState--;
        break;
    case MutantObject: {
        PKMUTANT m = (PKMUTANT)Object;
        if (Object->SignalState == 1) {
            if (m->Abandoned)
                abandoned = STATUS_ABANDONED;
            m->OwnerThread = Thread;
            m->Abandoned = FALSE;
            InsertHeadList(&Thread->MutantListHead, &m->MutantListEntry);
            Thread->KernelApcDisable += m->ApcDisable; /* holding a KMUTEX blocks normal APCs */
        }
        Object->SignalState--;
        break;
    }
    default:
        break; /* notification events and timers, threads: stay signaled */
    }
    return abandoned;
}

/* DISPATCH_LEVEL. Takes the thread out of every wait list and makes it ready; the status
 * is what its KeWaitXxx returns (or STATUS_KERNEL_APC: deliver, then wait again). The
 * waker's Increment boosts it first (boost.c), so a thread that is now above the waker
 * preempts it as soon as IRQL drops below DISPATCH_LEVEL. */
VOID KiUnwaitThread(PKTHREAD Thread, NTSTATUS Status, KPRIORITY Increment)
{
    for (ULONG i = 0; i < Thread->WaitCount; i++)
        RemoveEntryList(&Thread->WaitBlockList[i].WaitListEntry);
    Thread->WaitCount = 0;
    if (Thread->WaitDueTime) {
        RemoveEntryList(&Thread->TimerWaitBlock.WaitListEntry);
        KiRemoveTimer(&Thread->Timer);
        Thread->WaitDueTime = 0;
    }
    Thread->WaitStatus = Status;
    KiBoostPriority(Thread, Increment);
    KiReadyThread(Thread);
}

static BOOLEAN KipAllSignaled(PKTHREAD Thread)
{
    for (ULONG i = 0; i < Thread->WaitCount; i++)
        if (!KiIsObjectSignaled(Thread->WaitBlockList[i].Object, Thread))
            return FALSE;
    return TRUE;
}

/* DISPATCH_LEVEL, after Object became signaled: satisfy waiters in wait-list order for as
 * long as it stays signaled (a synchronization event wakes exactly one), each boosted by the
 * signaller's Increment. */
VOID KiWaitTestEx(DISPATCHER_HEADER *Object, KPRIORITY Increment)
{
    PLIST_ENTRY e;
restart:
    for (e = Object->WaitListHead.Flink; e != &Object->WaitListHead; e = e->Flink) {
        PKWAIT_BLOCK wb = CONTAINING_RECORD(e, KWAIT_BLOCK, WaitListEntry);
        PKTHREAD t = wb->Thread;
        if (wb->WaitType == WaitAny) {
            if (!KiIsObjectSignaled(Object, t))
                continue;
            NTSTATUS abandoned = KiSatisfyWait(Object, t);
            KiUnwaitThread(t, wb->WaitKey + abandoned, Increment);
            goto restart;
        }
        if (KipAllSignaled(t)) {
            NTSTATUS st = STATUS_SUCCESS;
            for (ULONG i = 0; i < t->WaitCount; i++)
                st |= KiSatisfyWait(t->WaitBlockList[i].Object, t);
            KiUnwaitThread(t, st, Increment);
            goto restart;
        }
    }
}

VOID KiWaitTest(DISPATCHER_HEADER *Object) { KiWaitTestEx(Object, 0); }

/* The WaitNext protocol. KeSetEvent (and the other signalling routines) with Wait = TRUE
 * return at DISPATCH_LEVEL still holding the dispatcher database; the caller's next
 * KeWaitXxx then starts from there, so no other thread runs between the set and the wait.
 * The IRQL the caller had is kept in WaitIrql and is what the wait runs (and returns) at. */
VOID KiEndSignal(KIRQL Irql, BOOLEAN Wait)
{
    if (!Wait) {
        KiReleaseDispatcherDatabase(Irql);
        return;
    }
    PKTHREAD t = KeGetCurrentThread();
    t->WaitIrql = Irql;
    t->WaitNext = TRUE;
}

/* Returns the IRQL the wait belongs to, with the dispatcher database held. */
KIRQL KiBeginWait(void)
{
    PKTHREAD t = KeGetCurrentThread();
    if (t->WaitNext) {
        t->WaitNext = FALSE;
        return t->WaitIrql;
    }
    return KiAcquireDispatcherDatabase();
}

/* The IRQL a wait is checked against: the caller's own, or the one it had before a
 * Wait = TRUE set raised it. */
static KIRQL KipWaitIrql(void)
{
    PKTHREAD t = KeGetCurrentThread();
    return t->WaitNext ? t->WaitIrql : KeGetCurrentIrql();
}

/* Driver Verifier's wait rules (Bug Check 0xC4 table): P1 0x120 wait above DISPATCH_LEVEL,
 * 0x121 at DISPATCH_LEVEL with no timeout, 0x122 at DISPATCH_LEVEL with a nonzero timeout;
 * P2 the address of the IRQL value (the thread's WaitIrql, holding the IRQL), P3 the object
 * (the object array for KeWaitForMultipleObjects), P4 the Timeout pointer. Without
 * Verifier: IRQL_NOT_LESS_OR_EQUAL (object, IRQL, 0, caller). */
VOID KiCheckWaitIrql(PVOID Object, PLARGE_INTEGER Timeout, PVOID Caller)
{
    KIRQL irql = KipWaitIrql();
    if (irql < DISPATCH_LEVEL || (irql == DISPATCH_LEVEL && Timeout && Timeout->QuadPart == 0))
        return;
    PKTHREAD t = KeGetCurrentThread();
    if (KiVerifierOn(VERIFIER_IRQL_CHECKING)) {
        ULONG code = irql > DISPATCH_LEVEL ? 0x120 : (Timeout ? 0x122 : 0x121);
        t->WaitIrql = irql;
        KeBugCheckEx(BUGPARAMS_C4_WAIT(code, &t->WaitIrql, Object, Timeout));
    }
    KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)Object, irql, 0, (ULONG_PTR)Caller);
}

/* IRQL <= APC_LEVEL, or DISPATCH_LEVEL with a zero timeout (checked by the callers). */
static NTSTATUS KipWait(ULONG Count, PVOID Object[], WAIT_TYPE WaitType, KWAIT_REASON WaitReason,
                        PLARGE_INTEGER Timeout, PKWAIT_BLOCK Blocks)
{
    PKTHREAD t = KeGetCurrentThread();
    BOOLEAN poll = Timeout && Timeout->QuadPart == 0;
    ULONG64 due = (Timeout && !poll) ? KiComputeDueTime(Timeout) : 0;
    KIRQL irql = KiBeginWait();

    /* Each pass holds the dispatcher database; passes after the first take it again. */
    for (;; KiAcquireDispatcherDatabase()) {
        /* A thread waiting at PASSIVE_LEVEL takes its kernel APCs first: the request
         * fires as soon as IRQL drops back, then the wait starts over. */
        if (irql == PASSIVE_LEVEL && KiApcDeliverable(t)) {
            HalRequestSoftwareInterrupt(APC_LEVEL);
            KiReleaseDispatcherDatabase(irql);
            continue;
        }
        if (WaitType == WaitAny) {
            for (ULONG i = 0; i < Count; i++) {
                if (KiIsObjectSignaled(Object[i], t)) {
                    NTSTATUS abandoned = KiSatisfyWait(Object[i], t);
                    KiReleaseDispatcherDatabase(irql);
                    return STATUS_WAIT_0 + (NTSTATUS)i + abandoned;
                }
            }
        } else {
            BOOLEAN all = TRUE;
            for (ULONG i = 0; i < Count && all; i++)
                all = KiIsObjectSignaled(Object[i], t);
            if (all) {
                NTSTATUS st = STATUS_SUCCESS;
                for (ULONG i = 0; i < Count; i++)
                    st |= KiSatisfyWait(Object[i], t);
                KiReleaseDispatcherDatabase(irql);
                return st;
            }
        }
        if (poll || (due && KeQueryInterruptTime() >= due)) {
            KiReleaseDispatcherDatabase(irql);
            return STATUS_TIMEOUT;
        }

        t->WaitBlockList = Blocks;
        t->WaitCount = Count;
        t->WaitType = (UCHAR)WaitType;
        t->WaitReason = (UCHAR)WaitReason;
        t->WaitIrql = irql;
        t->WaitStatus = STATUS_PENDING;
        for (ULONG i = 0; i < Count; i++) {
            PKWAIT_BLOCK wb = &Blocks[i];
            wb->Thread = t;
            wb->Object = Object[i];
            wb->WaitKey = (USHORT)i;
            wb->WaitType = (UCHAR)WaitType;
            wb->NextWaitBlock = i + 1 < Count ? &Blocks[i + 1] : &Blocks[0];
            InsertTailList(&((DISPATCHER_HEADER *)Object[i])->WaitListHead, &wb->WaitListEntry);
        }
        if (due) {
            PKWAIT_BLOCK tb = &t->TimerWaitBlock;
            tb->Thread = t;
            tb->Object = &t->Timer;
            tb->WaitKey = (USHORT)STATUS_TIMEOUT;
            tb->WaitType = WaitAny;
            t->Timer.Header.SignalState = 0;
            InsertTailList(&t->Timer.Header.WaitListHead, &tb->WaitListEntry);
            t->WaitDueTime = due;
            KiInsertTimer(&t->Timer, due, 0, NULL);
        }
        t->State = Waiting;
        KiSwapThread(irql);
        NTSTATUS st = t->WaitStatus;
        KiReleaseDispatcherDatabase(irql);
        if (st != STATUS_KERNEL_APC)
            return st;
    }
}

/* IRQL <= APC_LEVEL; DISPATCH_LEVEL with a zero timeout. WaitMode and Alertable are
 * accepted but there are no user-mode APCs or alerts yet. Timeout: negative is relative
 * (100 ns units), positive is absolute on the interrupt-time clock, zero polls. */
NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                               BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    UNREFERENCED_PARAMETER(WaitMode);
    UNREFERENCED_PARAMETER(Alertable);
    KiCheckWaitIrql(Object, Timeout, __builtin_return_address(0));
    PKTHREAD t = KeGetCurrentThread();
    if (!KiDeadlockOn() || ((DISPATCHER_HEADER *)Object)->Type != MutantObject)
        return KipWait(1, &Object, WaitAny, WaitReason, Timeout, t->WaitBlock);
    /* Verifier's deadlock detection sees a KMUTEX wait as an acquire */
    VfDeadlockAcquire(Object, VfDlMutex, FALSE);
    NTSTATUS st = KipWait(1, &Object, WaitAny, WaitReason, Timeout, t->WaitBlock);
    if (st != STATUS_SUCCESS && st != STATUS_ABANDONED)
        VfDeadlockAcquireFailed(Object);
    return st;
}

/* IRQL: as KeWaitForSingleObject. More than THREAD_WAIT_OBJECTS objects need a
 * caller-supplied WaitBlockArray, and never more than MAXIMUM_WAIT_OBJECTS
 * (MAXIMUM_WAIT_OBJECTS_EXCEEDED otherwise, as on Windows). */
NTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType, KWAIT_REASON WaitReason,
                                  KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                  PKWAIT_BLOCK WaitBlockArray)
{
    UNREFERENCED_PARAMETER(WaitMode);
    UNREFERENCED_PARAMETER(Alertable);
    KiCheckWaitIrql(Object, Timeout, __builtin_return_address(0));
    if (Count > MAXIMUM_WAIT_OBJECTS || (Count > THREAD_WAIT_OBJECTS && !WaitBlockArray))
        KeBugCheckEx(MAXIMUM_WAIT_OBJECTS_EXCEEDED, Count, (ULONG_PTR)WaitBlockArray, 0, 0);
    if (Count == 0) {
        KiReleaseDispatcherDatabase(KiBeginWait()); /* a Wait = TRUE set still holds it */
        return STATUS_INVALID_PARAMETER;
    }
    return KipWait(Count, Object, WaitType, WaitReason, Timeout,
                   WaitBlockArray ? WaitBlockArray : KeGetCurrentThread()->WaitBlock);
}

/* IRQL <= APC_LEVEL (Verifier 0xC4/0x121 or 0x122 with no object at DISPATCH_LEVEL).
 * A zero interval yields to ready threads of the same priority. */
NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval)
{
    UNREFERENCED_PARAMETER(WaitMode);
    UNREFERENCED_PARAMETER(Alertable);
    KiCheckWaitIrql(NULL, Interval, __builtin_return_address(0));
    if (!Interval || Interval->QuadPart == 0)
        KiReleaseDispatcherDatabase(KiBeginWait()); /* no wait follows a Wait = TRUE set */
    if (!Interval)
        return STATUS_INVALID_PARAMETER;
    if (Interval->QuadPart == 0) {
        KiYieldThread();
        return STATUS_SUCCESS;
    }
    NTSTATUS st = KipWait(0, NULL, WaitAny, DelayExecution, Interval, NULL);
    return st == STATUS_TIMEOUT ? STATUS_SUCCESS : st;
}
