/* ke/event.c - event objects: a notification event wakes every waiter and stays set, a
 * synchronization event wakes one waiter and resets itself. */
#include "ki.h"

VOID (*KiEventSetHook)(PRKEVENT Event); /* I/O Verifier: which completion routine signalled */

/* IRQL: any. */
VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    Event->Header.Type = Type == SynchronizationEvent ? EventSynchronizationObject : EventNotificationObject;
    Event->Header.Size = sizeof(KEVENT) / sizeof(LONG);
    Event->Header.SignalState = State ? 1 : 0;
    InitializeListHead(&Event->Header.WaitListHead);
}

/* Above DISPATCH_LEVEL: Verifier 0xC4 P1 0x80 (IRQL, event, 0), otherwise
 * IRQL_NOT_LESS_OR_EQUAL (event, IRQL, 1, caller). */
static VOID KipCheckSetIrql(PRKEVENT Event, PVOID Caller)
{
    KIRQL cur = KeGetCurrentIrql();
    if (cur <= DISPATCH_LEVEL)
        return;
    if (KiVerifierOn(VERIFIER_IRQL_CHECKING))
        KeBugCheckEx(BUGPARAMS_C4_SET_EVENT_ABOVE_DISPATCH(cur, Event));
    KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)Event, cur, 1, (ULONG_PTR)Caller);
}

/* IRQL <= DISPATCH_LEVEL (see KipCheckSetIrql). Returns the previous state. Every waiter
 * the set satisfies is boosted by Increment (boost.c) and, if that puts it above the caller,
 * preempts it once IRQL drops. Wait = TRUE: returns at DISPATCH_LEVEL holding the
 * dispatcher database, and the caller's next KeWaitXxx (which must follow at once) starts
 * from there: nothing runs between the set and the wait. */
LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    VF_DDI_CHECK(KeSetEvent);
    KipCheckSetIrql(Event, __builtin_return_address(0));
    if (KiEventSetHook)
        KiEventSetHook(Event);
    KIRQL irql = KiAcquireDispatcherDatabase();
    LONG old = Event->Header.SignalState;
    Event->Header.SignalState = 1;
    if (old == 0)
        KiWaitTestEx(&Event->Header, Increment);
    KiEndSignal(irql, Wait);
    return old;
}

/* IRQL <= DISPATCH_LEVEL. Sets the event, satisfies every wait that can be satisfied, and
 * resets it, all under the dispatcher database: a notification event wakes every waiter,
 * a synchronization event at most one, and the event ends not signaled. Returns the
 * previous state. Wait as in KeSetEvent. */
LONG KePulseEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    KipCheckSetIrql(Event, __builtin_return_address(0));
    KIRQL irql = KiAcquireDispatcherDatabase();
    LONG old = Event->Header.SignalState;
    if (old == 0) {
        Event->Header.SignalState = 1;
        KiWaitTestEx(&Event->Header, Increment);
    }
    Event->Header.SignalState = 0;
    KiEndSignal(irql, Wait);
    return old;
}

/* IRQL <= DISPATCH_LEVEL. */
VOID KeClearEvent(PRKEVENT Event) { Event->Header.SignalState = 0; }

/* IRQL <= DISPATCH_LEVEL. */
LONG KeResetEvent(PRKEVENT Event)
{
    VF_DDI_CHECK(KeResetEvent);
    return __atomic_exchange_n(&Event->Header.SignalState, 0, __ATOMIC_SEQ_CST);
}

/* IRQL: any. */
LONG KeReadStateEvent(PRKEVENT Event) { return Event->Header.SignalState; }
