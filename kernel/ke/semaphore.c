/* ke/semaphore.c - semaphore objects: a count up to a limit; each satisfied wait takes one.
 * Releasing past the limit raises STATUS_SEMAPHORE_LIMIT_EXCEEDED, as on Windows. */
#include "ki.h"

/* IRQL: any. */
VOID KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit)
{
    Semaphore->Header.Type = SemaphoreObject;
    Semaphore->Header.Size = sizeof(KSEMAPHORE) / sizeof(LONG);
    Semaphore->Header.SignalState = Count;
    InitializeListHead(&Semaphore->Header.WaitListHead);
    Semaphore->Limit = Limit;
}

/* IRQL <= DISPATCH_LEVEL. Returns the previous count. An adjustment that would pass the
 * limit (or overflow) changes nothing and raises the exception, which in a kernel without
 * a handler around it is KMODE_EXCEPTION_NOT_HANDLED (status, caller, 0, 0). The waiters it
 * satisfies are boosted by Increment; Wait = TRUE as in KeSetEvent. */
LONG KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment, BOOLEAN Wait)
{
    VF_DDI_CHECK(KeReleaseSemaphore);
    KIRQL irql = KiAcquireDispatcherDatabase();
    LONG old = Semaphore->Header.SignalState;
    if (Adjustment <= 0 || old > Semaphore->Limit - Adjustment) {
        KiReleaseDispatcherDatabase(irql);
        KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_SEMAPHORE_LIMIT_EXCEEDED,
                     (ULONG_PTR)__builtin_return_address(0), 0, 0);
    }
    Semaphore->Header.SignalState = old + Adjustment;
    if (old == 0)
        KiWaitTestEx(&Semaphore->Header, Increment);
    KiEndSignal(irql, Wait);
    return old;
}

/* IRQL: any. */
LONG KeReadStateSemaphore(PRKSEMAPHORE Semaphore) { return Semaphore->Header.SignalState; }
