/* tests/ex/resource_tests.c - ERESOURCE: shared and exclusive ownership across real
 * threads, recursion, hand-over to waiters, the starve/wait-for-exclusive variants, and the
 * stops Windows' Verifier has for misuse (0xC4/0x20007, 0x37, 0x38, 0x3D, 0xD0, 0xD1, 0x1000;
 * RESOURCE_NOT_OWNED). */
#include "../ke/kthread_util.h"

extern const CHAR ExpIrqlExApcLte3Rule[];

static ERESOURCE KtpRes;
static KEVENT KtpHold;          /* the helpers keep the resource until this is set */
static volatile LONG KtpGranted;

typedef enum { KtpExclusive, KtpShared, KtpStarve, KtpWaitForExcl } KTP_HOW;
static BOOLEAN KtpAcquire(KTP_HOW How, BOOLEAN Wait)
{
    switch (How) {
    case KtpExclusive: return ExAcquireResourceExclusiveLite(&KtpRes, Wait);
    case KtpShared: return ExAcquireResourceSharedLite(&KtpRes, Wait);
    case KtpStarve: return ExAcquireSharedStarveExclusive(&KtpRes, Wait);
    default: return ExAcquireSharedWaitForExclusive(&KtpRes, Wait);
    }
}

/* A helper thread: acquire (waiting), count itself in, hold until KtpHold, release. */
static VOID KtpHolder(PVOID Context)
{
    KeEnterCriticalRegion();
    KtpAcquire((KTP_HOW)(ULONG_PTR)Context, TRUE);
    __atomic_add_fetch(&KtpGranted, 1, __ATOMIC_SEQ_CST);
    KeWaitForSingleObject(&KtpHold, Executive, KernelMode, FALSE, NULL);
    ExReleaseResourceLite(&KtpRes);
    KeLeaveCriticalRegion();
}

/* A helper that only tries (Wait = FALSE) and reports. */
static volatile LONG KtpTryResult;
static VOID KtpTrier(PVOID Context)
{
    KeEnterCriticalRegion();
    KtpTryResult = KtpAcquire((KTP_HOW)(ULONG_PTR)Context, FALSE);
    if (KtpTryResult)
        ExReleaseResourceLite(&KtpRes);
    KeLeaveCriticalRegion();
}
static LONG KtpTry(KTP_HOW How)
{
    KtpTryResult = -1;
    PKTHREAD t = KtStartThread(KtpTrier, (PVOID)(ULONG_PTR)How, 12);
    if (!t || KtJoinThread(t, 100) != STATUS_SUCCESS)
        return -2;
    return KtpTryResult;
}

static VOID KtpSetup(void)
{
    KtpGranted = 0;
    KeInitializeEvent(&KtpHold, NotificationEvent, FALSE);
    ExInitializeResourceLite(&KtpRes);
    KeEnterCriticalRegion();
}
static VOID KtpTeardown(void)
{
    KeLeaveCriticalRegion();
    ExDeleteResourceLite(&KtpRes);
}

KTEST(resource, exclusive_owner_may_recurse_and_excludes_every_other_thread)
{
    KtpSetup();
    KT_ASSERT(ExAcquireResourceExclusiveLite(&KtpRes, TRUE));
    KT_ASSERT(ExAcquireResourceExclusiveLite(&KtpRes, FALSE)); /* recursion needs no wait */
    KT_ASSERT(ExAcquireResourceSharedLite(&KtpRes, FALSE));    /* shared, counted on the exclusive */
    KT_ASSERT(ExIsResourceAcquiredExclusiveLite(&KtpRes));
    KT_EQ(ExIsResourceAcquiredSharedLite(&KtpRes), 3);
    KT_EQ(KtpTry(KtpExclusive), FALSE);
    KT_EQ(KtpTry(KtpShared), FALSE);
    KT_EQ(KtpTry(KtpStarve), FALSE);
    for (int i = 0; i < 3; i++)
        ExReleaseResourceLite(&KtpRes);
    KT_ASSERT(!ExIsResourceAcquiredExclusiveLite(&KtpRes));
    KT_EQ(ExIsResourceAcquiredSharedLite(&KtpRes), 0);
    KT_EQ(KtpTry(KtpExclusive), TRUE);
    KtpTeardown();
}

KTEST(resource, many_threads_own_it_shared_at_once_and_exclusive_waits_for_all)
{
    PKTHREAD t[6];
    KtpSetup();
    for (int i = 0; i < 6; i++) /* more than the first owner table holds: it grows */
        KT_ASSERT((t[i] = KtStartThread(KtpHolder, (PVOID)KtpShared, 10)) != NULL);
    KT_EQ(KtpGranted, 6);
    KT_EQ(KtpRes.ActiveCount, 6);
    KT_EQ(KtpTry(KtpExclusive), FALSE);
    KT_ASSERT(ExAcquireResourceSharedLite(&KtpRes, FALSE)); /* no exclusive waiter: come in */
    KT_EQ(KtpRes.ActiveCount, 7);
    ExReleaseResourceLite(&KtpRes);
    KeSetEvent(&KtpHold, 0, FALSE);
    for (int i = 0; i < 6; i++)
        KT_STATUS(KtJoinThread(t[i], 100), STATUS_SUCCESS);
    KT_EQ(KtpRes.ActiveCount, 0);
    KT_EQ(KtpTry(KtpExclusive), TRUE);
    KtpTeardown();
}

KTEST(resource, an_exclusive_waiter_holds_off_new_shared_owners_but_not_starve_exclusive)
{
    KtpSetup();
    KT_ASSERT(ExAcquireResourceSharedLite(&KtpRes, TRUE));
    PKTHREAD w = KtStartThread(KtpHolder, (PVOID)KtpExclusive, 10);
    KT_ASSERT(w);
    KT_EQ(w->State, Waiting);
    KT_EQ(ExGetExclusiveWaiterCount(&KtpRes), 1);
    KT_EQ(KtpTry(KtpShared), FALSE);       /* a new shared owner queues behind the writer */
    KT_EQ(KtpTry(KtpStarve), TRUE);        /* ...unless it asks to starve it */
    KT_ASSERT(ExAcquireResourceSharedLite(&KtpRes, FALSE));      /* our own recursion is granted */
    KT_ASSERT(!ExAcquireSharedWaitForExclusive(&KtpRes, FALSE)); /* this one defers to the writer */
    ExReleaseResourceLite(&KtpRes);
    KT_EQ(KtpGranted, 0);
    ExReleaseResourceLite(&KtpRes); /* the last shared owner: the writer gets it and runs */
    KT_EQ(KtpGranted, 1);
    KT_EQ(ExGetExclusiveWaiterCount(&KtpRes), 0);
    KeSetEvent(&KtpHold, 0, FALSE);
    KT_STATUS(KtJoinThread(w, 100), STATUS_SUCCESS);
    KtpTeardown();
}

KTEST(resource, release_hands_ownership_to_a_waiter_before_it_even_runs)
{
    KtpSetup();
    KT_ASSERT(ExAcquireResourceExclusiveLite(&KtpRes, TRUE));
    PKTHREAD w = KtStartThread(KtpHolder, (PVOID)KtpExclusive, 6); /* below us */
    KT_ASSERT(w);
    LARGE_INTEGER ms = KtMs(2);
    KeDelayExecutionThread(KernelMode, FALSE, &ms); /* it runs and blocks */
    KT_EQ(w->State, Waiting);
    ExReleaseResourceLite(&KtpRes);
    KT_EQ(KtpGranted, 0);          /* ready, not yet run ... */
    KT_EQ(KtpRes.ActiveCount, 1);  /* ... yet already the owner: */
    KT_ASSERT(!ExAcquireResourceSharedLite(&KtpRes, FALSE)); /* nobody barges in */
    KT_ASSERT(!ExIsResourceAcquiredExclusiveLite(&KtpRes));
    KeSetEvent(&KtpHold, 0, FALSE);
    KT_STATUS(KtJoinThread(w, 100), STATUS_SUCCESS);
    KT_EQ(KtpGranted, 1);
    KtpTeardown();
}

KTEST(resource, every_shared_waiter_enters_when_the_exclusive_owner_releases)
{
    PKTHREAD t[3];
    KtpSetup();
    KT_ASSERT(ExAcquireResourceExclusiveLite(&KtpRes, TRUE));
    for (int i = 0; i < 3; i++)
        KT_ASSERT((t[i] = KtStartThread(KtpHolder, (PVOID)KtpShared, 10)) != NULL);
    KT_EQ(ExGetSharedWaiterCount(&KtpRes), 3);
    KT_EQ(KtpGranted, 0);
    ExReleaseResourceLite(&KtpRes);
    KT_EQ(KtpGranted, 3);
    KT_EQ(KtpRes.ActiveCount, 3);
    KT_EQ(ExGetSharedWaiterCount(&KtpRes), 0);
    KeSetEvent(&KtpHold, 0, FALSE);
    for (int i = 0; i < 3; i++)
        KT_STATUS(KtJoinThread(t[i], 100), STATUS_SUCCESS);
    KtpTeardown();
}

KTEST(resource, convert_exclusive_to_shared_keeps_the_count_and_lets_shared_waiters_in)
{
    PKTHREAD t[2];
    KtpSetup();
    KT_ASSERT(ExAcquireResourceExclusiveLite(&KtpRes, TRUE));
    for (int i = 0; i < 2; i++)
        KT_ASSERT((t[i] = KtStartThread(KtpHolder, (PVOID)KtpShared, 10)) != NULL);
    KT_EQ(KtpGranted, 0);
    ExConvertExclusiveToSharedLite(&KtpRes);
    KT_EQ(KtpGranted, 2);
    KT_ASSERT(!ExIsResourceAcquiredExclusiveLite(&KtpRes));
    KT_EQ(ExIsResourceAcquiredSharedLite(&KtpRes), 1);
    KT_EQ(KtpRes.ActiveCount, 3);
    ExReleaseResourceLite(&KtpRes);
    KeSetEvent(&KtpHold, 0, FALSE);
    for (int i = 0; i < 2; i++)
        KT_STATUS(KtJoinThread(t[i], 100), STATUS_SUCCESS);
    KtpTeardown();
}

static ERESOURCE_THREAD KtpOwnerId;
static VOID KtpAcquireAndLeave(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(&KtpRes, TRUE);
    KtpOwnerId = ExGetCurrentResourceThread();
    KeLeaveCriticalRegion(); /* keeps it: another thread releases it on its behalf */
}

KTEST(resource, release_for_thread_releases_another_threads_acquisition)
{
    KtpSetup();
    PKTHREAD t = KtStartThread(KtpAcquireAndLeave, NULL, 10);
    KT_ASSERT(t);
    KT_EQ(KtpRes.ActiveCount, 1);
    KT_EQ(KtpOwnerId, (ERESOURCE_THREAD)t);
    KT_EQ(ExIsResourceAcquiredSharedLite(&KtpRes), 0); /* not ours */
    ExReleaseResourceForThreadLite(&KtpRes, KtpOwnerId);
    KT_EQ(KtpRes.ActiveCount, 0);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
    KtpTeardown();
}

KTEST(resource, reinitialize_returns_a_resource_to_its_fresh_state)
{
    KtpSetup();
    KT_ASSERT(ExAcquireResourceExclusiveLite(&KtpRes, TRUE));
    KT_STATUS(ExReinitializeResourceLite(&KtpRes), STATUS_SUCCESS);
    KT_ASSERT(!ExIsResourceAcquiredExclusiveLite(&KtpRes));
    KT_EQ(KtpTry(KtpExclusive), TRUE);
    KtpTeardown();
}

/* ---- misuse ---- */
KTEST_BUGCHECK(resource, verifier_acquire_at_dispatch_level_breaks_irqlexapclte3, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    KIRQL old;
    ExInitializeResourceLite(&KtpRes);
    KeEnterCriticalRegion();
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KtExpectBugCheck(0x20007, (ULONG64)ExpIrqlExApcLte3Rule, 0, 0);
    ExAcquireResourceSharedLite(&KtpRes, FALSE);
}

KTEST_EX(resource, acquire_at_dispatch_level_without_verifier_is_irql_not_less_or_equal, IRQL_NOT_LESS_OR_EQUAL, "verifier=none")
{
    KIRQL old;
    ExInitializeResourceLite(&KtpRes);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KtExpectBugCheck((ULONG64)&KtpRes, DISPATCH_LEVEL, 0, KT_ANY);
    ExAcquireResourceExclusiveLite(&KtpRes, TRUE);
}

KTEST_BUGCHECK(resource, verifier_acquire_outside_a_critical_region, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    ExInitializeResourceLite(&KtpRes);
    KtExpectBugCheck(0x37, PASSIVE_LEVEL, 0, (ULONG64)&KtpRes);
    ExAcquireResourceExclusiveLite(&KtpRes, TRUE);
}

KTEST_BUGCHECK(resource, verifier_release_after_leaving_the_critical_region, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    ExInitializeResourceLite(&KtpRes);
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(&KtpRes, TRUE);
    KeLeaveCriticalRegion();
    KtExpectBugCheck(0x38, PASSIVE_LEVEL, 0, (ULONG64)&KtpRes);
    ExReleaseResourceLite(&KtpRes);
}

KTEST_BUGCHECK(resource, verifier_unaligned_resource, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static UCHAR storage[sizeof(ERESOURCE) + 16] __attribute__((aligned(16)));
    PERESOURCE bad = (PERESOURCE)(storage + 4);
    KeEnterCriticalRegion();
    KtExpectBugCheck(0x3D, 0, 0, (ULONG64)bad);
    ExAcquireResourceExclusiveLite(bad, TRUE);
}

KTEST_BUGCHECK(resource, verifier_initializing_a_live_resource_again, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    ExInitializeResourceLite(&KtpRes);
    KtExpectBugCheck(0xD0, (ULONG64)&KtpRes, 0, 0);
    ExInitializeResourceLite(&KtpRes);
}

KTEST_BUGCHECK(resource, verifier_deleting_a_resource_never_initialized, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static ERESOURCE never;
    KtExpectBugCheck(0xD1, (ULONG64)&never, 0, 0);
    ExDeleteResourceLite(&never);
}

KTEST_BUGCHECK(resource, verifier_shared_owner_asking_for_exclusive_deadlocks_itself, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    ExInitializeResourceLite(&KtpRes);
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(&KtpRes, TRUE);
    KtExpectBugCheck(0x1000, (ULONG64)&KtpRes, 0, 0);
    ExAcquireResourceExclusiveLite(&KtpRes, TRUE);
}

KTEST_BUGCHECK(resource, releasing_a_resource_the_thread_does_not_own, RESOURCE_NOT_OWNED)
{
    ExInitializeResourceLite(&KtpRes);
    KeEnterCriticalRegion();
    KtExpectBugCheck((ULONG64)&KtpRes, (ULONG64)KeGetCurrentThread(), 0, 0);
    ExReleaseResourceLite(&KtpRes);
}
