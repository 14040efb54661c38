/* tests/ke/spinlock_tests.c - spin locks: IRQL effects, owner tracking, queued locks, and
 * the bug checks for re-acquire, foreign release and wrong-IRQL use. */
#include "../ktest.h"
#include "../../kernel/ke/ki.h"

KTEST(spinlock, acquire_raises_to_dispatch_and_release_restores)
{
    KSPIN_LOCK l;
    KIRQL old;
    KeInitializeSpinLock(&l);
    KeAcquireSpinLock(&l, &old);
    KT_EQ(old, PASSIVE_LEVEL);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_ASSERT(!KeTestSpinLock(&l));
    KeReleaseSpinLock(&l, old);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_ASSERT(KeTestSpinLock(&l));
}

KTEST(spinlock, at_dpc_level_pair_keeps_irql)
{
    KSPIN_LOCK l;
    KIRQL old;
    KeInitializeSpinLock(&l);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeAcquireSpinLockAtDpcLevel(&l);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_ASSERT(!KeTryToAcquireSpinLockAtDpcLevel(&(KSPIN_LOCK){ 1 }));
    KeReleaseSpinLockFromDpcLevel(&l);
    KT_ASSERT(KeTryToAcquireSpinLockAtDpcLevel(&l));
    KeReleaseSpinLockFromDpcLevel(&l);
    KeLowerIrql(old);
}

KTEST(spinlock, queued_locks_nest_and_restore_irql)
{
    KSPIN_LOCK a, b;
    KLOCK_QUEUE_HANDLE ha, hb;
    KeInitializeSpinLock(&a);
    KeInitializeSpinLock(&b);
    KeAcquireInStackQueuedSpinLock(&a, &ha);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ(a, (KSPIN_LOCK)&ha.LockQueue); /* the lock word is the queue tail */
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&b, &hb);
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&hb);
    KT_EQ(b, 0);
    KeReleaseInStackQueuedSpinLock(&ha);
    KT_EQ(a, 0);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

static KSPIN_LOCK KtpLock;

KTEST_BUGCHECK(spinlock, reacquire_bugchecks_already_owned, SPIN_LOCK_ALREADY_OWNED)
{
    KIRQL old, old2;
    KeInitializeSpinLock(&KtpLock);
    KeAcquireSpinLock(&KtpLock, &old);
    KtExpectBugCheck((ULONG_PTR)&KtpLock, 0, 0, 0);
    KeAcquireSpinLock(&KtpLock, &old2);
}

KTEST_BUGCHECK(spinlock, release_of_free_lock_bugchecks_not_owned, SPIN_LOCK_NOT_OWNED)
{
    KIRQL old;
    KeInitializeSpinLock(&KtpLock);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KtExpectBugCheck((ULONG_PTR)&KtpLock, 0, 0, 0);
    KeReleaseSpinLock(&KtpLock, old);
}

/* With Verifier off the acquire and release are inline (wdm/keirql.h): their failed
 * compare-exchange still reaches the owner check. */
KTEST_EX(spinlock, inline_reacquire_with_verifier_off_bugchecks_already_owned, SPIN_LOCK_ALREADY_OWNED, "verifier=none")
{
    KIRQL old, old2;
    KeInitializeSpinLock(&KtpLock);
    KeAcquireSpinLock(&KtpLock, &old);
    KtExpectBugCheck((ULONG_PTR)&KtpLock, 0, 0, 0);
    KeAcquireSpinLock(&KtpLock, &old2);
}

KTEST_EX(spinlock, inline_release_of_free_lock_with_verifier_off_bugchecks_not_owned, SPIN_LOCK_NOT_OWNED, "verifier=none")
{
    KIRQL old;
    KeInitializeSpinLock(&KtpLock);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KtExpectBugCheck((ULONG_PTR)&KtpLock, 0, 0, 0);
    KeReleaseSpinLock(&KtpLock, old);
}

KTEST_EX(spinlock, inline_pair_with_verifier_off_holds_the_lock_at_dispatch_level, 0, "verifier=none")
{
    KIRQL old;
    KeInitializeSpinLock(&KtpLock);
    KeAcquireSpinLock(&KtpLock, &old);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_ASSERT(!KeTestSpinLock(&KtpLock));
    KT_EQ(KtpLock, (KSPIN_LOCK)KeGetCurrentPrcb() | 1); /* the owner word: this processor */
    KeReleaseSpinLock(&KtpLock, old);
    KT_EQ(KeGetCurrentIrql(), old);
    KT_ASSERT(KeTestSpinLock(&KtpLock));
}

KTEST_BUGCHECK(spinlock, queued_reacquire_bugchecks_already_owned, SPIN_LOCK_ALREADY_OWNED)
{
    KLOCK_QUEUE_HANDLE h1, h2;
    KeInitializeSpinLock(&KtpLock);
    KeAcquireInStackQueuedSpinLock(&KtpLock, &h1);
    KtExpectBugCheck((ULONG_PTR)&KtpLock, 0, 0, 0);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&KtpLock, &h2);
}

KTEST_BUGCHECK(spinlock, queued_release_not_held_bugchecks_not_owned, SPIN_LOCK_NOT_OWNED)
{
    KLOCK_QUEUE_HANDLE h;
    KIRQL old;
    KeInitializeSpinLock(&KtpLock);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    h.LockQueue.Lock = &KtpLock;
    h.LockQueue.Next = NULL;
    KtExpectBugCheck((ULONG_PTR)&KtpLock, 0, 0, 0);
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&h);
}

KTEST_BUGCHECK(spinlock, verifier_release_below_dispatch, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    KIRQL old;
    KeInitializeSpinLock(&KtpLock);
    KeAcquireSpinLock(&KtpLock, &old);
    KeLowerIrql(APC_LEVEL);
    /* The page: P2 current IRQL, P3 the lock, P4 0 (NewIrql is not reported). */
    KtExpectBugCheck(0x32, APC_LEVEL, (ULONG_PTR)&KtpLock, 0);
    KeReleaseSpinLock(&KtpLock, PASSIVE_LEVEL);
}

KTEST_BUGCHECK(spinlock, verifier_acquire_above_dispatch, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    KIRQL old;
    KeInitializeSpinLock(&KtpLock);
    KeRaiseIrql(CLOCK_LEVEL, &old);
    KtExpectBugCheck(0x42, CLOCK_LEVEL, (ULONG_PTR)&KtpLock, 0);
    KeAcquireSpinLock(&KtpLock, &old);
}

KTEST_BUGCHECK(spinlock, verifier_at_dpc_level_acquire_from_passive, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    KeInitializeSpinLock(&KtpLock);
    KtExpectBugCheck(0x40, PASSIVE_LEVEL, (ULONG_PTR)&KtpLock, 0);
    KeAcquireSpinLockAtDpcLevel(&KtpLock);
}

KTEST_BUGCHECK(spinlock, verifier_release_from_dpc_level_at_apc_level_is_c4_41, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    KIRQL old;
    KeInitializeSpinLock(&KtpLock);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeAcquireSpinLockAtDpcLevel(&KtpLock);
    KeLowerIrql(APC_LEVEL);
    KtExpectBugCheck(0x41, APC_LEVEL, (ULONG_PTR)&KtpLock, 0);
    KeReleaseSpinLockFromDpcLevel(&KtpLock);
}
