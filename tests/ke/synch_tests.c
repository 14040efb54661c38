/* tests/ke/synch_tests.c - guarded mutexes, the Unsafe fast-mutex forms, SYNCH_LEVEL and the
 * RaiseToSynch lock, the ForDpc in-stack queued locks and the numbered queued spin locks. */
#include "kthread_util.h"

static volatile LONG KtpApcRan;
static VOID KtpApc(PKAPC Apc, PKNORMAL_ROUTINE *N, PVOID *C, PVOID *A1, PVOID *A2)
{
    UNREFERENCED_PARAMETER(Apc);
    UNREFERENCED_PARAMETER(N);
    UNREFERENCED_PARAMETER(C);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    KtpApcRan++;
}

KTEST(synch, guarded_mutex_owner_stays_at_passive_level_with_every_apc_held_off)
{
    KGUARDED_MUTEX gm;
    KAPC apc;
    KtpApcRan = 0;
    KeInitializeGuardedMutex(&gm);
    KeAcquireGuardedMutex(&gm);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_ASSERT(gm.Owner == KeGetCurrentThread());
    KT_ASSERT(KeAreAllApcsDisabled());
    KeInitializeApc(&apc, KeGetCurrentThread(), OriginalApcEnvironment, KtpApc, NULL, NULL, KernelMode, NULL);
    KeInsertQueueApc(&apc, NULL, NULL, 0); /* a special APC: only a guarded region stops it */
    KtBusyWaitMs(2);
    KT_EQ(KtpApcRan, 0);
    KeReleaseGuardedMutex(&gm);
    KT_EQ(KtpApcRan, 1);
    KT_ASSERT(!KeAreAllApcsDisabled());
}

KTEST(synch, a_critical_region_disables_apcs_but_not_all_apcs)
{
    KeEnterCriticalRegion();
    KT_ASSERT(KeAreApcsDisabled());
    KT_ASSERT(!KeAreAllApcsDisabled());
    KeLeaveCriticalRegion();
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    KT_ASSERT(KeAreAllApcsDisabled());
    KeLowerIrql(old);
}

static KGUARDED_MUTEX KtpGm;
static volatile LONG KtpGot, KtpTryResult;
static VOID KtpGmTaker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KtpTryResult = KeTryToAcquireGuardedMutex(&KtpGm);
    KeAcquireGuardedMutex(&KtpGm);
    KtpGot = 1;
    KeReleaseGuardedMutex(&KtpGm);
}

KTEST(synch, guarded_mutex_is_exclusive_and_handed_to_the_waiter_on_release)
{
    KeInitializeGuardedMutex(&KtpGm);
    KtpGot = 0;
    KtpTryResult = -1;
    KeAcquireGuardedMutex(&KtpGm);
    PKTHREAD t = KtStartThread(KtpGmTaker, NULL, 10);
    KT_ASSERT(t);
    KT_EQ(KtpTryResult, FALSE);
    KT_EQ(t->State, Waiting);
    KT_EQ(t->SpecialApcDisable, 1); /* it waits inside its own guarded region */
    KT_EQ(KtpGm.Contention, 1);
    KeReleaseGuardedMutex(&KtpGm);
    KT_EQ(KtpGot, 1);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
    KT_EQ(KtpGm.Count, 1);
    KT_ASSERT(KeTryToAcquireGuardedMutex(&KtpGm));
    KeReleaseGuardedMutex(&KtpGm);
}

KTEST(synch, unsafe_guarded_mutex_enters_no_region_of_its_own)
{
    KeInitializeGuardedMutex(&KtpGm);
    KeEnterGuardedRegion();
    KeAcquireGuardedMutexUnsafe(&KtpGm);
    KT_EQ(KeGetCurrentThread()->SpecialApcDisable, 1);
    KT_ASSERT(KtpGm.Owner == KeGetCurrentThread());
    KeReleaseGuardedMutexUnsafe(&KtpGm);
    KT_EQ(KtpGm.Count, 1);
    KeLeaveGuardedRegion();
}

KTEST(synch, fast_mutex_unsafe_keeps_the_irql_inside_a_critical_region)
{
    FAST_MUTEX fm;
    ExInitializeFastMutex(&fm);
    KeEnterCriticalRegion();
    ExAcquireFastMutexUnsafe(&fm);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_ASSERT(fm.Owner == KeGetCurrentThread());
    KT_ASSERT(!ExTryToAcquireFastMutex(&fm));
    ExReleaseFastMutexUnsafe(&fm);
    KeLeaveCriticalRegion();
    KT_EQ(fm.Count, 1);
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old); /* APC_LEVEL is the other legal way in */
    ExAcquireFastMutexUnsafe(&fm);
    ExReleaseFastMutexUnsafe(&fm);
    KeLowerIrql(old);
}

KTEST_BUGCHECK(synch, verifier_fast_mutex_unsafe_acquire_with_apcs_enabled, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static FAST_MUTEX fm;
    ExInitializeFastMutex(&fm);
    KtExpectBugCheck(0x39, PASSIVE_LEVEL, 0, (ULONG64)&fm);
    ExAcquireFastMutexUnsafe(&fm);
}

KTEST_BUGCHECK(synch, verifier_fast_mutex_unsafe_release_after_leaving_the_region, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static FAST_MUTEX fm;
    ExInitializeFastMutex(&fm);
    KeEnterCriticalRegion();
    ExAcquireFastMutexUnsafe(&fm);
    KeLeaveCriticalRegion();
    KtExpectBugCheck(0x3A, PASSIVE_LEVEL, 0, (ULONG64)&fm);
    ExReleaseFastMutexUnsafe(&fm);
}

KTEST_BUGCHECK(synch, verifier_fast_mutex_unsafe_acquire_at_dispatch, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static FAST_MUTEX fm;
    KIRQL old;
    ExInitializeFastMutex(&fm);
    KeEnterCriticalRegion();
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KtExpectBugCheck(0x39, DISPATCH_LEVEL, 0x0000FFFF, (ULONG64)&fm);
    ExAcquireFastMutexUnsafe(&fm);
}

KTEST(synch, synch_level_holds_off_dpcs_but_not_the_clock)
{
    LARGE_INTEGER t0, t1;
    KT_EQ(SYNCH_LEVEL, 12);
    KIRQL old = KeRaiseIrqlToSynchLevel();
    KT_EQ(old, PASSIVE_LEVEL);
    KT_EQ(KeGetCurrentIrql(), SYNCH_LEVEL);
    KeQueryTickCount(&t0);
    KtBusyWaitMs(5);
    KeQueryTickCount(&t1);
    KT_ASSERT(t1.QuadPart > t0.QuadPart); /* CLOCK_LEVEL (13) is above SYNCH_LEVEL */
    KeLowerIrql(old);
}

KTEST(synch, raise_to_synch_spin_lock_is_held_at_synch_level_and_released_by_ke_release_spin_lock)
{
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KIRQL old = KeAcquireSpinLockRaiseToSynch(&lock);
    KT_EQ(old, PASSIVE_LEVEL);
    KT_EQ(KeGetCurrentIrql(), SYNCH_LEVEL);
    KT_ASSERT(!KeTestSpinLock(&lock));
    KeReleaseSpinLock(&lock, old);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_ASSERT(KeTestSpinLock(&lock));
}

static KSPIN_LOCK KtpDpcLock;
static volatile LONG KtpDpcIrqlInside, KtpDpcIrqlAfter;
static VOID KtpForDpcRoutine(PKDPC Dpc, PVOID Ctx, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Ctx);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    KLOCK_QUEUE_HANDLE h;
    KeAcquireInStackQueuedSpinLockForDpc(&KtpDpcLock, &h);
    KtpDpcIrqlInside = KeGetCurrentIrql();
    KeReleaseInStackQueuedSpinLockForDpc(&h);
    KtpDpcIrqlAfter = KeGetCurrentIrql(); /* a DPC stays at DISPATCH_LEVEL */
}

KTEST(synch, in_stack_queued_lock_for_dpc_works_from_a_thread_and_from_a_dpc)
{
    KLOCK_QUEUE_HANDLE h;
    KDPC dpc;
    KeInitializeSpinLock(&KtpDpcLock);
    KeAcquireInStackQueuedSpinLockForDpc(&KtpDpcLock, &h);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_ASSERT(!KeTestSpinLock(&KtpDpcLock));
    KeReleaseInStackQueuedSpinLockForDpc(&h);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_ASSERT(KeTestSpinLock(&KtpDpcLock));
    KtpDpcIrqlInside = KtpDpcIrqlAfter = -1;
    KeInitializeDpc(&dpc, KtpForDpcRoutine, NULL);
    KeInsertQueueDpc(&dpc, NULL, NULL); /* runs at once: we are below DISPATCH_LEVEL */
    KT_EQ(KtpDpcIrqlInside, DISPATCH_LEVEL);
    KT_EQ(KtpDpcIrqlAfter, DISPATCH_LEVEL);
    KT_ASSERT(KeTestSpinLock(&KtpDpcLock));
}

KTEST(synch, numbered_queued_spin_locks_raise_to_dispatch_and_nest)
{
    KIRQL a = KeAcquireQueuedSpinLock(LockQueueIoDatabaseLock);
    KT_EQ(a, PASSIVE_LEVEL);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KIRQL b = KeAcquireQueuedSpinLock(LockQueueIoVpbLock);
    KT_EQ(b, DISPATCH_LEVEL);
    KeReleaseQueuedSpinLock(LockQueueIoVpbLock, b);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeReleaseQueuedSpinLock(LockQueueIoDatabaseLock, a);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    /* Released means free: the same lock can be taken again. */
    a = KeAcquireQueuedSpinLock(LockQueueIoDatabaseLock);
    KeReleaseQueuedSpinLock(LockQueueIoDatabaseLock, a);
}

extern KSPIN_LOCK KiNumberedLocks[LockQueueMaximumLock];
KTEST_BUGCHECK(synch, numbered_queued_lock_taken_twice_is_already_owned, SPIN_LOCK_ALREADY_OWNED)
{
    KeAcquireQueuedSpinLock(LockQueueBcbLock);
    KtExpectBugCheck((ULONG64)&KiNumberedLocks[LockQueueBcbLock], 0, 0, 0);
    KeAcquireQueuedSpinLock(LockQueueBcbLock);
}
