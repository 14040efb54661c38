/* tests/ke/deadlock_tests.c - Driver Verifier's deadlock detection (verifier=deadlock): the
 * lock-order graph over spin locks, queued spin locks, fast mutexes, KMUTEXes and ERESOURCEs,
 * and each 0xC4 stop with the four parameters Microsoft's page for 0xC4 gives. */
#include "kthread_util.h"

#define KT_DL "verifier=all,deadlock"

static KSPIN_LOCK KtpA, KtpB, KtpC;
static FAST_MUTEX KtpFm, KtpFm2;
static KMUTEX KtpMx, KtpMy;
static ERESOURCE KtpRes;

static VOID KtpSpinPair(PKSPIN_LOCK First, PKSPIN_LOCK Second)
{
    KIRQL a, b;
    KeAcquireSpinLock(First, &a);
    KeAcquireSpinLock(Second, &b);
    KeReleaseSpinLock(Second, b);
    KeReleaseSpinLock(First, a);
}

static ULONG KtpEdges(void)
{
    ULONG nodes, edges;
    VfDeadlockQuery(&nodes, &edges);
    return edges;
}

/* ---- what never stops ---- */

KTEST_EX(deadlock, one_order_kept_by_every_lock_type_never_stops, 0, KT_DL)
{
    KLOCK_QUEUE_HANDLE q;
    KIRQL irql;
    KeInitializeSpinLock(&KtpA);
    KeInitializeSpinLock(&KtpB);
    KeInitializeSpinLock(&KtpC);
    ExInitializeFastMutex(&KtpFm);
    KeInitializeMutex(&KtpMx, 0);
    KT_STATUS(ExInitializeResourceLite(&KtpRes), STATUS_SUCCESS);
    ULONG before = KtpEdges();
    /* mutex -> resource -> fast mutex -> A -> B (queued) -> C, ten times over */
    for (ULONG i = 0; i < 10; i++) {
        KT_STATUS(KeWaitForSingleObject(&KtpMx, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
        KeEnterCriticalRegion();
        ExAcquireResourceExclusiveLite(&KtpRes, TRUE);
        ExAcquireFastMutex(&KtpFm);
        KeAcquireSpinLock(&KtpA, &irql);
        KeAcquireInStackQueuedSpinLockAtDpcLevel(&KtpB, &q);
        KeAcquireSpinLockAtDpcLevel(&KtpC);
        KeReleaseSpinLockFromDpcLevel(&KtpC);
        KeReleaseInStackQueuedSpinLockFromDpcLevel(&q);
        KeReleaseSpinLock(&KtpA, irql);
        ExReleaseFastMutex(&KtpFm);
        ExReleaseResourceLite(&KtpRes);
        KeLeaveCriticalRegion();
        KeReleaseMutex(&KtpMx, FALSE);
    }
    /* A recursive KMUTEX and ERESOURCE acquisition is legal, and adds no order. */
    KeWaitForSingleObject(&KtpMx, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&KtpMx, Executive, KernelMode, FALSE, NULL);
    KeReleaseMutex(&KtpMx, FALSE);
    KeReleaseMutex(&KtpMx, FALSE);
    ULONG after = KtpEdges();
    ExDeleteResourceLite(&KtpRes);
    /* every pair in the chain is one edge, recorded once however often it repeats */
    KT_EQ(after - before, 15);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

static VOID KtpStackLockPair(BOOLEAN Reverse)
{
    KSPIN_LOCK l1, l2; /* the same stack addresses on both calls, different locks */
    KeInitializeSpinLock(&l1);
    KeInitializeSpinLock(&l2);
    if (Reverse)
        KtpSpinPair(&l2, &l1);
    else
        KtpSpinPair(&l1, &l2);
}

KTEST_EX(deadlock, stack_locks_are_forgotten_with_their_frame, 0, KT_DL)
{
    ULONG before = KtpEdges();
    KtpStackLockPair(FALSE);
    KT_EQ(KtpEdges(), before); /* released: the frame may be gone, so is their order */
    KtpStackLockPair(TRUE);
    KT_EQ(KtpEdges(), before);
}

KTEST_EX(deadlock, pool_locks_are_forgotten_when_their_pool_is_freed, 0, KT_DL)
{
    PKSPIN_LOCK p = ExAllocatePoolWithTag(NonPagedPool, 2 * sizeof(KSPIN_LOCK), 'lDtK');
    KT_ASSERT(p != NULL);
    KeInitializeSpinLock(&p[0]);
    KeInitializeSpinLock(&p[1]);
    ULONG before = KtpEdges();
    KtpSpinPair(&p[0], &p[1]);
    KT_EQ(KtpEdges(), before + 1); /* pool lives on: the order is kept */
    ExFreePoolWithTag(p, 'lDtK');
    KT_EQ(KtpEdges(), before);
}

/* ---- 0x1001: a lock hierarchy violation ---- */

KTEST_EX(deadlock, spin_locks_taken_in_both_orders_stop_with_0x1001, 0xC4, KT_DL)
{
    KeInitializeSpinLock(&KtpA);
    KeInitializeSpinLock(&KtpB);
    KtpSpinPair(&KtpA, &KtpB); /* A then B, released: no deadlock yet, only an order */
    KtExpectBugCheck(0x1001, (ULONG_PTR)&KtpA, 0, 0);
    KtpSpinPair(&KtpB, &KtpA); /* B then A: the acquire of A closes the cycle */
}

KTEST_EX(deadlock, a_cycle_through_three_locks_stops_at_the_edge_that_closes_it, 0xC4, KT_DL)
{
    KeInitializeSpinLock(&KtpA);
    KeInitializeSpinLock(&KtpB);
    KeInitializeSpinLock(&KtpC);
    KtpSpinPair(&KtpA, &KtpB);
    KtpSpinPair(&KtpB, &KtpC); /* A < B < C, though A and C were never held together */
    KtExpectBugCheck(0x1001, (ULONG_PTR)&KtpA, 0, 0);
    KtpSpinPair(&KtpC, &KtpA);
}

static VOID KtpMutexThenResource(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExAcquireFastMutex(&KtpFm);
    KeEnterCriticalRegion(); /* (APC_LEVEL already holds APCs off; the rule wants the region) */
    ExAcquireResourceSharedLite(&KtpRes, TRUE);
    ExReleaseResourceLite(&KtpRes);
    KeLeaveCriticalRegion();
    ExReleaseFastMutex(&KtpFm);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

KTEST_EX(deadlock, fast_mutex_and_resource_in_both_orders_on_two_threads_stop_with_0x1001, 0xC4, KT_DL)
{
    ExInitializeFastMutex(&KtpFm);
    KT_STATUS(ExInitializeResourceLite(&KtpRes), STATUS_SUCCESS);
    PKTHREAD t = KtStartThread(KtpMutexThenResource, NULL, KI_DEFAULT_PRIORITY);
    KT_ASSERT(t != NULL);
    KT_STATUS(KtJoinThread(t, 5000), STATUS_SUCCESS); /* it is gone: no deadlock can happen now */
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&KtpRes, TRUE);
    KtExpectBugCheck(0x1001, (ULONG_PTR)&KtpFm, 0, 0);
    ExAcquireFastMutex(&KtpFm);
}

KTEST_EX(deadlock, kmutexes_waited_for_in_both_orders_stop_with_0x1001, 0xC4, KT_DL)
{
    KeInitializeMutex(&KtpMx, 0);
    KeInitializeMutex(&KtpMy, 0);
    KeWaitForSingleObject(&KtpMx, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&KtpMy, Executive, KernelMode, FALSE, NULL);
    KeReleaseMutex(&KtpMy, FALSE);
    KeReleaseMutex(&KtpMx, FALSE);
    KeWaitForSingleObject(&KtpMy, Executive, KernelMode, FALSE, NULL);
    KtExpectBugCheck(0x1001, (ULONG_PTR)&KtpMx, 0, 0);
    KeWaitForSingleObject(&KtpMx, Executive, KernelMode, FALSE, NULL);
}

KTEST_EX(deadlock, queued_and_plain_spin_lock_in_both_orders_stop_with_0x1001, 0xC4, KT_DL)
{
    KLOCK_QUEUE_HANDLE q;
    KIRQL irql;
    KeInitializeSpinLock(&KtpA);
    KeInitializeSpinLock(&KtpB);
    KeAcquireInStackQueuedSpinLock(&KtpA, &q);
    KeAcquireSpinLockAtDpcLevel(&KtpB);
    KeReleaseSpinLockFromDpcLevel(&KtpB);
    KeReleaseInStackQueuedSpinLock(&q);
    KeAcquireSpinLock(&KtpB, &irql);
    KtExpectBugCheck(0x1001, (ULONG_PTR)&KtpA, 0, 0);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&KtpA, &q);
}

/* A DPC is its own context: the order it takes locks in counts against the threads'. */
static KDPC KtpDpc;
static volatile LONG KtpDpcRan;
static VOID KtpDpcBThenA(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc), UNREFERENCED_PARAMETER(Context), UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    KeAcquireSpinLockAtDpcLevel(&KtpB);
    KtExpectBugCheck(0x1001, (ULONG_PTR)&KtpA, 0, 0);
    KeAcquireSpinLockAtDpcLevel(&KtpA);
    KtpDpcRan = 1;
}

static VOID KtpDpcTakesC(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc), UNREFERENCED_PARAMETER(Context), UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    KeAcquireSpinLockAtDpcLevel(&KtpC);
    KeReleaseSpinLockFromDpcLevel(&KtpC);
    KtpDpcRan = 1;
}

KTEST_EX(deadlock, a_dpc_interrupting_a_mutex_owner_adds_no_order_to_the_mutex, 0, KT_DL)
{
    KIRQL irql;
    KeInitializeSpinLock(&KtpC);
    ExInitializeFastMutex(&KtpFm);
    KeInitializeDpc(&KtpDpc, KtpDpcTakesC, NULL);
    KtpDpcRan = 0;
    ULONG before = KtpEdges();
    ExAcquireFastMutex(&KtpFm); /* APC_LEVEL: a DPC may still run on top of this thread */
    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    KeInsertQueueDpc(&KtpDpc, NULL, NULL);
    KeLowerIrql(irql); /* the DPC runs here, in its own context */
    ExReleaseFastMutex(&KtpFm);
    KT_EQ(KtpDpcRan, 1);
    KT_EQ(KtpEdges(), before); /* the DPC never waited for the mutex's owner: no FastMutex -> C */
}

KTEST_EX(deadlock, a_dpc_taking_the_reverse_order_of_a_thread_stops_with_0x1001, 0xC4, KT_DL)
{
    KIRQL irql;
    KeInitializeSpinLock(&KtpA);
    KeInitializeSpinLock(&KtpB);
    KtpSpinPair(&KtpA, &KtpB);
    KeInitializeDpc(&KtpDpc, KtpDpcBThenA, NULL);
    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    KeInsertQueueDpc(&KtpDpc, NULL, NULL);
    KeLowerIrql(irql); /* the DPC runs here and stops */
    KT_ASSERT(!"the DPC's reverse order was not caught");
}

/* ---- the other deadlock-detection stops ---- */

KTEST_EX(deadlock, fast_mutex_acquired_twice_by_its_owner_stops_with_0x1000, 0xC4, KT_DL)
{
    ExInitializeFastMutex(&KtpFm);
    ExAcquireFastMutex(&KtpFm);
    KtExpectBugCheck(0x1000, (ULONG_PTR)&KtpFm, 0, 0);
    ExAcquireFastMutex(&KtpFm);
}

KTEST_EX(deadlock, uninitialized_fast_mutex_stops_with_0x1002, 0xC4, KT_DL)
{
    RtlZeroMemory(&KtpFm2, sizeof(KtpFm2)); /* never ExInitializeFastMutex'd */
    KtExpectBugCheck(0x1002, (ULONG_PTR)&KtpFm2, 0, 0);
    ExAcquireFastMutex(&KtpFm2);
}

KTEST_EX(deadlock, outer_spin_lock_released_before_the_inner_one_stops_with_0x1003, 0xC4, KT_DL)
{
    KIRQL a, b;
    KeInitializeSpinLock(&KtpA);
    KeInitializeSpinLock(&KtpB);
    KeAcquireSpinLock(&KtpA, &a);
    KeAcquireSpinLock(&KtpB, &b);
    KtExpectBugCheck(0x1003, (ULONG_PTR)&KtpA, (ULONG_PTR)&KtpB, 0);
    KeReleaseSpinLock(&KtpA, b);
}

static volatile LONG KtpHolding;
static KEVENT KtpDone;
static VOID KtpHoldFastMutex(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExAcquireFastMutex(&KtpFm);
    __atomic_store_n(&KtpHolding, 1, __ATOMIC_RELEASE);
    KeWaitForSingleObject(&KtpDone, Executive, KernelMode, FALSE, NULL); /* holds it meanwhile */
    ExReleaseFastMutex(&KtpFm);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

KTEST_EX(deadlock, fast_mutex_released_by_another_thread_stops_with_0x1004, 0xC4, KT_DL)
{
    ExInitializeFastMutex(&KtpFm);
    KeInitializeEvent(&KtpDone, NotificationEvent, FALSE);
    PKTHREAD t = KtStartThread(KtpHoldFastMutex, NULL, KI_DEFAULT_PRIORITY + 1);
    KT_ASSERT(t != NULL);
    LARGE_INTEGER ms = KtMs(1);
    for (ULONG i = 0; i < 2000 && !__atomic_load_n(&KtpHolding, __ATOMIC_ACQUIRE); i++)
        KeDelayExecutionThread(KernelMode, FALSE, &ms);
    KT_ASSERT(KtpHolding);
    KIRQL irql;
    KeRaiseIrql(APC_LEVEL, &irql);
    KtExpectBugCheck(0x1004, (ULONG_PTR)&KtpFm, (ULONG_PTR)t, (ULONG_PTR)KeGetCurrentThread());
    ExReleaseFastMutex(&KtpFm);
}

KTEST_EX(deadlock, fast_mutex_released_without_being_acquired_stops_with_0x1007, 0xC4, KT_DL)
{
    KIRQL irql;
    ExInitializeFastMutex(&KtpFm);
    KeRaiseIrql(APC_LEVEL, &irql);
    KtExpectBugCheck(0x1007, (ULONG_PTR)&KtpFm, 0, 0);
    ExReleaseFastMutex(&KtpFm);
}
