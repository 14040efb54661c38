/* ke/spinlock.c - executive spin locks: an atomic lock word holding its owner, so the same
 * code works on more processors later, and re-acquire or foreign release is caught.
 * These are the exported, checked routines; wdm/keirql.h inlines the uncontended path with
 * Verifier off and comes here for contention, a wrong owner, or while Verifier checks. */
#include "ki.h"

_Static_assert(KI_VERIFIED_SPINLOCK_FLAGS == (VERIFIER_IRQL_CHECKING | VERIFIER_IO_CHECKING |
                                              VERIFIER_FORCE_IRQL_TRIM | VERIFIER_DDI_CHECKING |
                                              VERIFIER_DEADLOCK_DETECTION),
               "wdm/keirql.h names the Verifier switches the spin-lock routines check");

/* The owner is the processor block: a spin lock is held by a processor, not a thread. */
#define KIP_OWNER() ((KSPIN_LOCK)KeGetCurrentPrcb() | 1)

VOID KiAcquireSpinLockRaw(PKSPIN_LOCK Lock)
{
    KSPIN_LOCK me = KIP_OWNER();
    if (__atomic_load_n(Lock, __ATOMIC_RELAXED) == me)
        KeBugCheckEx(SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)Lock, 0, 0, 0);
    for (;;) {
        KSPIN_LOCK expected = 0;
        if (__atomic_compare_exchange_n(Lock, &expected, me, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return;
        while (__atomic_load_n(Lock, __ATOMIC_RELAXED))
            _mm_pause();
    }
}

/* The inline acquire's compare-exchange failed: the lock is held, maybe by this processor. */
VOID KiAcquireSpinLockContended(PKSPIN_LOCK Lock) { KiAcquireSpinLockRaw(Lock); }

/* The inline release found another owner word (or none) in the lock. */
VOID KiReleaseSpinLockNotOwner(PKSPIN_LOCK Lock) { KiReleaseSpinLockRaw(Lock); }

VOID KiReleaseSpinLockRaw(PKSPIN_LOCK Lock)
{
    KSPIN_LOCK me = KIP_OWNER();
    KSPIN_LOCK expected = me;
    if (!__atomic_compare_exchange_n(Lock, &expected, 0, FALSE, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        KeBugCheckEx(SPIN_LOCK_NOT_OWNED, (ULONG_PTR)Lock, expected, 0, 0);
}

/* IRQL: any. */
VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock) { *SpinLock = 0; }

/* IRQL: <= DISPATCH_LEVEL (Verifier: 0xC4/0x42 above it). Returns the old IRQL. */
KIRQL (KeAcquireSpinLockRaiseToDpc)(PKSPIN_LOCK SpinLock)
{
    VF_DDI_CHECK(KeAcquireSpinLockRaiseToDpc);
    KIRQL cur = KeGetCurrentIrql();
    if (cur > DISPATCH_LEVEL && KiVerifierOn(VERIFIER_IRQL_CHECKING))
        KeBugCheckEx(BUGPARAMS_C4_ACQUIRE_SPINLOCK_ABOVE_DISPATCH(cur, SpinLock));
    KIRQL old = (KfRaiseIrql)(DISPATCH_LEVEL);
    if (KiDeadlockOn())
        VfDeadlockAcquire(SpinLock, VfDlSpinLock, FALSE);
    KiAcquireSpinLockRaw(SpinLock);
    return old;
}

VOID (KeAcquireSpinLock)(PKSPIN_LOCK SpinLock, PKIRQL OldIrql)
{
    *OldIrql = (KeAcquireSpinLockRaiseToDpc)(SpinLock);
}

/* IRQL: == DISPATCH_LEVEL, or SYNCH_LEVEL for a KeAcquireSpinLockRaiseToSynch lock
 * (Verifier: 0xC4/0x32 below DISPATCH_LEVEL). */
VOID (KeReleaseSpinLock)(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    VF_DDI_CHECK(KeReleaseSpinLock);
    KIRQL cur = KeGetCurrentIrql();
    if (cur < DISPATCH_LEVEL && KiVerifierOn(VERIFIER_IRQL_CHECKING))
        KeBugCheckEx(BUGPARAMS_C4_RELEASE_SPINLOCK_NOT_DISPATCH(cur, SpinLock));
    if (KiDeadlockOn())
        VfDeadlockRelease(SpinLock, VfDlSpinLock);
    KiReleaseSpinLockRaw(SpinLock);
    (KeLowerIrql)(NewIrql);
}

/* IRQL: >= DISPATCH_LEVEL (Verifier: 0xC4/0x40 below it). */
VOID (KeAcquireSpinLockAtDpcLevel)(PKSPIN_LOCK SpinLock)
{
    VF_DDI_CHECK(KeAcquireSpinLockAtDpcLevel);
    KIRQL cur = KeGetCurrentIrql();
    if (cur < DISPATCH_LEVEL && KiVerifierOn(VERIFIER_IRQL_CHECKING))
        KeBugCheckEx(BUGPARAMS_C4_ACQUIRE_AT_DPC_BELOW_DISPATCH(cur, SpinLock));
    if (KiDeadlockOn())
        VfDeadlockAcquire(SpinLock, VfDlSpinLock, FALSE);
    KiAcquireSpinLockRaw(SpinLock);
}

/* IRQL: >= DISPATCH_LEVEL (Verifier: 0xC4/0x41 below it). */
VOID (KeReleaseSpinLockFromDpcLevel)(PKSPIN_LOCK SpinLock)
{
    VF_DDI_CHECK(KeReleaseSpinLockFromDpcLevel);
    KIRQL cur = KeGetCurrentIrql();
    if (cur < DISPATCH_LEVEL && KiVerifierOn(VERIFIER_IRQL_CHECKING))
        KeBugCheckEx(BUGPARAMS_C4_RELEASE_FROM_DPC_BELOW_DISPATCH(cur, SpinLock));
    if (KiDeadlockOn())
        VfDeadlockRelease(SpinLock, VfDlSpinLock);
    KiReleaseSpinLockRaw(SpinLock);
}

/* IRQL: >= DISPATCH_LEVEL. */
BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    KSPIN_LOCK expected = 0;
    if (*SpinLock == KIP_OWNER())
        KeBugCheckEx(SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)SpinLock, 0, 0, 0);
    BOOLEAN got = __atomic_compare_exchange_n(SpinLock, &expected, KIP_OWNER(), FALSE, __ATOMIC_ACQUIRE,
                                              __ATOMIC_RELAXED);
    if (got && KiDeadlockOn())
        VfDeadlockAcquire(SpinLock, VfDlSpinLock, TRUE);
    return got;
}

/* IRQL: any. TRUE if the lock is free right now. */
BOOLEAN KeTestSpinLock(PKSPIN_LOCK SpinLock) { return __atomic_load_n(SpinLock, __ATOMIC_RELAXED) == 0; }
