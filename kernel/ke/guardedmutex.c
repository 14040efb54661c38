/* ke/guardedmutex.c - guarded mutexes: a fast mutex whose owner stays at its IRQL inside a
 * guarded region (no kernel APC of any kind runs), handed over through a gate on contention. */
#include "ki.h"

/* IRQL <= DISPATCH_LEVEL. */
VOID KeInitializeGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    Mutex->Count = 1;
    Mutex->Owner = NULL;
    Mutex->Contention = 0;
    Mutex->CombinedApcDisable = 0;
    /* A gate is a synchronization event here: it releases exactly one waiter. */
    KeInitializeEvent((PKEVENT)&Mutex->Gate, SynchronizationEvent, FALSE);
}

/* The owner's thread, inside a guarded region or at APC_LEVEL: take it or wait for the
 * hand-over. A wait above APC_LEVEL stops inside KeWaitForSingleObject (0xC4/0x121). */
static VOID KipTakeGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    if (__atomic_sub_fetch(&Mutex->Count, 1, __ATOMIC_ACQUIRE) != 0) {
        Mutex->Contention++;
        KeWaitForSingleObject(&Mutex->Gate, WrExecutive, KernelMode, FALSE, NULL);
    }
    Mutex->Owner = KeGetCurrentThread();
}

static VOID KipGiveGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    Mutex->Owner = NULL;
    if (__atomic_add_fetch(&Mutex->Count, 1, __ATOMIC_RELEASE) != 1)
        KeSetEvent((PKEVENT)&Mutex->Gate, 0, FALSE); /* the waiter wakes owning it */
}

/* IRQL <= APC_LEVEL. Enters a guarded region, then owns the mutex (not recursive). */
VOID KeAcquireGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    KeEnterGuardedRegion();
    KipTakeGuardedMutex(Mutex);
    Mutex->CombinedApcDisable = KiCombinedApcDisable(KeGetCurrentThread());
}

/* IRQL <= APC_LEVEL. Hands the mutex over, then leaves the guarded region (delivering any
 * APC that waited). */
VOID KeReleaseGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    KipGiveGuardedMutex(Mutex);
    KeLeaveGuardedRegion();
}

/* IRQL <= APC_LEVEL. TRUE: owned, inside the guarded region; FALSE: nothing changed. */
BOOLEAN KeTryToAcquireGuardedMutex(PKGUARDED_MUTEX Mutex)
{
    LONG expected = 1;
    KeEnterGuardedRegion();
    if (!__atomic_compare_exchange_n(&Mutex->Count, &expected, 0, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        KeLeaveGuardedRegion();
        return FALSE;
    }
    Mutex->Owner = KeGetCurrentThread();
    Mutex->CombinedApcDisable = KiCombinedApcDisable(Mutex->Owner);
    return TRUE;
}

/* IRQL <= APC_LEVEL, the caller already at APC_LEVEL or inside a guarded region. */
VOID KeAcquireGuardedMutexUnsafe(PKGUARDED_MUTEX FastMutex) { KipTakeGuardedMutex(FastMutex); }

/* IRQL <= APC_LEVEL, as KeAcquireGuardedMutexUnsafe. */
VOID KeReleaseGuardedMutexUnsafe(PKGUARDED_MUTEX FastMutex) { KipGiveGuardedMutex(FastMutex); }

/* IRQL: any. */
BOOLEAN KeAreAllApcsDisabled(void)
{
    return KeGetCurrentIrql() >= APC_LEVEL || KeGetCurrentThread()->SpecialApcDisable != 0;
}
