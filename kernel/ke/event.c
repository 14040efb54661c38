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

/* IRQL <= DISPATCH_LEVEL; above it Verifier stops with 0xC4 P1 0x80 (IRQL, event, 0),
 * otherwise IRQL_NOT_LESS_OR_EQUAL. Returns the previous state. Wait = TRUE (a wait must
 * follow at once) is accepted and behaves like FALSE. */
LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    UNREFERENCED_PARAMETER(Increment);
    UNREFERENCED_PARAMETER(Wait);
    KIRQL cur = KeGetCurrentIrql();
    if (cur > DISPATCH_LEVEL) {
        if (KiVerifierOn(VERIFIER_IRQL_CHECKING))
            KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x80, cur, (ULONG_PTR)Event, 0);
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)Event, cur, 1, (ULONG_PTR)__builtin_return_address(0));
    }
    if (KiEventSetHook)
        KiEventSetHook(Event);
    KIRQL irql = KiAcquireDispatcherDatabase();
    LONG old = Event->Header.SignalState;
    Event->Header.SignalState = 1;
    if (old == 0)
        KiWaitTest(&Event->Header);
    KiReleaseDispatcherDatabase(irql);
    return old;
}

/* IRQL <= DISPATCH_LEVEL. */
VOID KeClearEvent(PRKEVENT Event) { Event->Header.SignalState = 0; }

/* IRQL <= DISPATCH_LEVEL. */
LONG KeResetEvent(PRKEVENT Event)
{
    return __atomic_exchange_n(&Event->Header.SignalState, 0, __ATOMIC_SEQ_CST);
}

/* IRQL: any. */
LONG KeReadStateEvent(PRKEVENT Event) { return Event->Header.SignalState; }
