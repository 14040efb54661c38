/* ke/boost.c - NT's priority boosts for satisfied waits: the waker's increment lifts the woken
 * thread above its base priority (never into the real-time range), and each quantum end takes
 * one level of it back, so a thread that keeps computing sinks to its base again. */
#include "ki.h"

/* DISPATCH_LEVEL, while Thread leaves a wait (it is in no ready queue yet). The boost is
 * counted from the base priority and never lowers the thread: a thread already at or above
 * Base + Increment keeps what it has. Real-time threads (base 16 and up) are not boosted. */
VOID KiBoostPriority(PKTHREAD Thread, KPRIORITY Increment)
{
    if (Increment <= 0 || KiIsIdleThread(Thread) || Thread->BasePriority >= LOW_REALTIME_PRIORITY)
        return;
    LONG boosted = Thread->BasePriority + Increment;
    if (boosted > LOW_REALTIME_PRIORITY - 1)
        boosted = LOW_REALTIME_PRIORITY - 1;
    if (boosted > Thread->Priority) {
        Thread->Priority = boosted;
        Thread->Quantum = KiQuantumTicks; /* the boosted level gets a whole quantum */
    }
}

/* DISPATCH_LEVEL, for the running thread whose quantum has ended. TRUE if it lost a level. */
BOOLEAN KiDecayPriority(PKTHREAD Thread)
{
    if (Thread->Priority <= Thread->BasePriority)
        return FALSE;
    Thread->Priority--;
    return TRUE;
}
