/* tests/ke/wait_tests.c - dispatcher objects and waits: who an event wakes, semaphore
 * counts, mutex ownership and recursion, timeouts, WaitAny/WaitAll, and the IRQL rules. */
#include "kthread_util.h"

static KEVENT KtpEvent;
static volatile LONG KtpWoken;
static VOID KtpEventWaiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    if (KeWaitForSingleObject(&KtpEvent, Executive, KernelMode, FALSE, NULL) == STATUS_SUCCESS)
        __atomic_add_fetch(&KtpWoken, 1, __ATOMIC_SEQ_CST);
}

KTEST(wait, notification_event_wakes_every_waiter_and_stays_set)
{
    PKTHREAD t[3];
    KtpWoken = 0;
    KeInitializeEvent(&KtpEvent, NotificationEvent, FALSE);
    for (int i = 0; i < 3; i++)
        KT_ASSERT((t[i] = KtStartThread(KtpEventWaiter, NULL, 10)) != NULL);
    KT_EQ(KtpWoken, 0);
    KT_EQ(KeSetEvent(&KtpEvent, 0, FALSE), 0);
    KT_EQ(KtpWoken, 3);
    KT_EQ(KeReadStateEvent(&KtpEvent), 1);
    for (int i = 0; i < 3; i++)
        KT_STATUS(KtJoinThread(t[i], 100), STATUS_SUCCESS);
}

KTEST(wait, synchronization_event_wakes_exactly_one_per_set)
{
    PKTHREAD t[3];
    KtpWoken = 0;
    KeInitializeEvent(&KtpEvent, SynchronizationEvent, FALSE);
    for (int i = 0; i < 3; i++)
        KT_ASSERT((t[i] = KtStartThread(KtpEventWaiter, NULL, 10)) != NULL);
    for (LONG n = 1; n <= 3; n++) {
        KeSetEvent(&KtpEvent, 0, FALSE);
        KT_EQ(KtpWoken, n);
        KT_EQ(KeReadStateEvent(&KtpEvent), 0); /* consumed by the one it woke */
    }
    KeSetEvent(&KtpEvent, 0, FALSE);
    KT_EQ(KeReadStateEvent(&KtpEvent), 1); /* no waiter left: it stays set */
    for (int i = 0; i < 3; i++)
        KT_STATUS(KtJoinThread(t[i], 100), STATUS_SUCCESS);
}

KTEST(wait, reset_and_clear_event)
{
    KeInitializeEvent(&KtpEvent, NotificationEvent, TRUE);
    KT_EQ(KeResetEvent(&KtpEvent), 1);
    KT_EQ(KeResetEvent(&KtpEvent), 0);
    KeSetEvent(&KtpEvent, 0, FALSE);
    KeClearEvent(&KtpEvent);
    KT_EQ(KeReadStateEvent(&KtpEvent), 0);
}

KTEST(wait, relative_timeout_expires_with_status_timeout)
{
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    LARGE_INTEGER to = KtMs(20);
    ULONG64 t0 = KeQueryInterruptTime(), k0 = KiTickCount;
    KT_STATUS(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &to), STATUS_TIMEOUT);
    ULONG64 waited = KeQueryInterruptTime() - t0;
    KT_ASSERT(waited >= 200000);
    KT_ASSERT(KiTickCount > k0); /* a clock tick (the expiration check) ended it */
    KT_ASSERT(e.Header.WaitListHead.Flink == &e.Header.WaitListHead); /* wait block unlinked */
}

KTEST(wait, absolute_timeout_on_the_interrupt_time_clock)
{
    KEVENT e;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    LARGE_INTEGER due;
    due.QuadPart = (LONGLONG)KeQueryInterruptTime() + 100000; /* 10 ms from now */
    KT_STATUS(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &due), STATUS_TIMEOUT);
    KT_ASSERT(KeQueryInterruptTime() >= (ULONG64)due.QuadPart);
    due.QuadPart = 1; /* long past */
    KT_STATUS(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &due), STATUS_TIMEOUT);
}

KTEST(wait, zero_timeout_polls_even_at_dispatch_level)
{
    KEVENT e;
    KIRQL old;
    LARGE_INTEGER zero = { .QuadPart = 0 };
    KeInitializeEvent(&e, SynchronizationEvent, FALSE);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NTSTATUS unsignaled = KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &zero);
    KeSetEvent(&e, 0, FALSE);
    NTSTATUS signaled = KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &zero);
    LONG after = KeReadStateEvent(&e);
    KeLowerIrql(old);
    KT_STATUS(unsignaled, STATUS_TIMEOUT);
    KT_STATUS(signaled, STATUS_SUCCESS);
    KT_EQ(after, 0); /* the poll satisfied the synchronization event */
}

KTEST(wait, delay_execution_sleeps_about_the_right_number_of_ticks)
{
    LARGE_INTEGER d = KtMs(10);
    ULONG64 k0 = KiTickCount, t0 = KeQueryInterruptTime();
    KT_STATUS(KeDelayExecutionThread(KernelMode, FALSE, &d), STATUS_SUCCESS);
    ULONG64 ticks = KiTickCount - k0, slept = KeQueryInterruptTime() - t0;
    DbgPrint("# slept %llu ticks (%llu us) for 10 ms at %u Hz\n", ticks, slept / 10, KiClockHz);
    /* Never early; woken by the first tick past the due time. A starved QEMU loses ticks
     * (fewer than 10 may arrive), so only the upper bound is in ticks. */
    KT_ASSERT(slept >= 100000);
    KT_ASSERT(ticks >= 1 && ticks <= 10 * KiClockHz / 1000 + 2);
}

static KEVENT KtpA, KtpB;
static VOID KtpSetBThenA(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetEvent(&KtpB, 0, FALSE);
    LARGE_INTEGER d = KtMs(2);
    KeDelayExecutionThread(KernelMode, FALSE, &d);
    KeSetEvent(&KtpA, 0, FALSE);
}

KTEST(wait, wait_any_returns_the_index_wait_all_needs_every_object)
{
    PVOID objs[2] = { &KtpA, &KtpB };
    KeInitializeEvent(&KtpA, NotificationEvent, FALSE);
    KeInitializeEvent(&KtpB, NotificationEvent, FALSE);
    PKTHREAD t = KtStartThread(KtpSetBThenA, NULL, 8);
    LARGE_INTEGER to = KtMs(500);
    KT_STATUS(KeWaitForMultipleObjects(2, objs, WaitAny, Executive, KernelMode, FALSE, &to, NULL), STATUS_WAIT_1);
    KT_EQ(KeReadStateEvent(&KtpA), 0);
    KT_STATUS(KeWaitForMultipleObjects(2, objs, WaitAll, Executive, KernelMode, FALSE, &to, NULL), STATUS_SUCCESS);
    KT_EQ(KeReadStateEvent(&KtpA), 1);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}

KTEST(wait, wait_all_takes_nothing_until_all_are_signaled)
{
    KSEMAPHORE s;
    KEVENT e;
    PVOID objs[2] = { &s, &e };
    LARGE_INTEGER to = KtMs(5);
    KeInitializeSemaphore(&s, 1, 1);
    KeInitializeEvent(&e, SynchronizationEvent, FALSE);
    KT_STATUS(KeWaitForMultipleObjects(2, objs, WaitAll, Executive, KernelMode, FALSE, &to, NULL), STATUS_TIMEOUT);
    KT_EQ(KeReadStateSemaphore(&s), 1);
    KeSetEvent(&e, 0, FALSE);
    KT_STATUS(KeWaitForMultipleObjects(2, objs, WaitAll, Executive, KernelMode, FALSE, &to, NULL), STATUS_SUCCESS);
    KT_EQ(KeReadStateSemaphore(&s), 0);
    KT_EQ(KeReadStateEvent(&e), 0);
}

static KSEMAPHORE KtpSem;
static VOID KtpSemWaiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    if (KeWaitForSingleObject(&KtpSem, Executive, KernelMode, FALSE, NULL) == STATUS_SUCCESS)
        __atomic_add_fetch(&KtpWoken, 1, __ATOMIC_SEQ_CST);
}

KTEST(wait, semaphore_counts_down_and_release_wakes_that_many)
{
    LARGE_INTEGER zero = { .QuadPart = 0 };
    PKTHREAD t[3];
    KeInitializeSemaphore(&KtpSem, 2, 3);
    KT_STATUS(KeWaitForSingleObject(&KtpSem, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    KT_STATUS(KeWaitForSingleObject(&KtpSem, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    KT_STATUS(KeWaitForSingleObject(&KtpSem, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    KtpWoken = 0;
    for (int i = 0; i < 3; i++)
        KT_ASSERT((t[i] = KtStartThread(KtpSemWaiter, NULL, 10)) != NULL);
    KT_EQ(KeReleaseSemaphore(&KtpSem, 0, 2, FALSE), 0);
    KT_EQ(KtpWoken, 2);
    KT_EQ(KeReadStateSemaphore(&KtpSem), 0);
    KT_EQ(KeReleaseSemaphore(&KtpSem, 0, 3, FALSE), 0);
    KT_EQ(KtpWoken, 3);
    KT_EQ(KeReadStateSemaphore(&KtpSem), 2);
    for (int i = 0; i < 3; i++)
        KT_STATUS(KtJoinThread(t[i], 100), STATUS_SUCCESS);
}

static KMUTEX KtpMutex;
static volatile NTSTATUS KtpMutexStatus;
static VOID KtpMutexTaker(PVOID Context)
{
    LARGE_INTEGER to = KtMs((LONG)(ULONG_PTR)Context);
    KtpMutexStatus = KeWaitForSingleObject(&KtpMutex, Executive, KernelMode, FALSE, &to);
    if (KtpMutexStatus == STATUS_SUCCESS) {
        KtpWoken = KtpMutex.OwnerThread == KeGetCurrentThread();
        KeReleaseMutex(&KtpMutex, FALSE);
    }
}

KTEST(wait, mutex_is_owned_recursive_and_handed_over_on_last_release)
{
    PKTHREAD self = KeGetCurrentThread();
    KeInitializeMutex(&KtpMutex, 0);
    KT_EQ(KeReadStateMutex(&KtpMutex), 1);
    KT_STATUS(KeWaitForSingleObject(&KtpMutex, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_STATUS(KeWaitForMutexObject(&KtpMutex, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_ASSERT(KtpMutex.OwnerThread == self);
    KT_EQ(KeReadStateMutex(&KtpMutex), -1);
    KT_ASSERT(KeAreApcsDisabled()); /* owning a KMUTEX holds off normal kernel APCs */

    /* Another thread cannot take it while owned. */
    PKTHREAD t = KtStartThread(KtpMutexTaker, (PVOID)5, 10);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
    KT_STATUS(KtpMutexStatus, STATUS_TIMEOUT);

    KtpWoken = 0;
    t = KtStartThread(KtpMutexTaker, (PVOID)500, 10);
    KT_EQ(KeReleaseMutex(&KtpMutex, FALSE), -1);
    KT_EQ(t->State, Waiting); /* still owned once */
    KT_EQ(KeReleaseMutex(&KtpMutex, FALSE), 0);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
    KT_STATUS(KtpMutexStatus, STATUS_SUCCESS);
    KT_EQ(KtpWoken, 1);
    KT_ASSERT(KtpMutex.OwnerThread == NULL);
    KT_EQ(KeReadStateMutex(&KtpMutex), 1);
    KT_ASSERT(!KeAreApcsDisabled());
}

/* ---- IRQL rules (Driver Verifier's 0xC4 table) ---- */

KTEST_BUGCHECK(wait, verifier_wait_at_dispatch_without_timeout, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static KEVENT e;
    KIRQL old;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    KtExpectBugCheck(0x121, (ULONG64)&KeGetCurrentThread()->WaitIrql, (ULONG64)&e, 0);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, NULL);
}

KTEST_BUGCHECK(wait, verifier_wait_at_dispatch_with_nonzero_timeout, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static KEVENT e;
    static LARGE_INTEGER to;
    KIRQL old;
    to = KtMs(1);
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    KtExpectBugCheck(0x122, (ULONG64)&KeGetCurrentThread()->WaitIrql, (ULONG64)&e, (ULONG64)&to);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &to);
}

KTEST_BUGCHECK(wait, verifier_wait_above_dispatch_even_polling, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static KEVENT e;
    static LARGE_INTEGER zero;
    KIRQL old;
    KeInitializeEvent(&e, NotificationEvent, TRUE);
    KtExpectBugCheck(0x120, (ULONG64)&KeGetCurrentThread()->WaitIrql, (ULONG64)&e, (ULONG64)&zero);
    KeRaiseIrql(CLOCK_LEVEL, &old);
    KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &zero);
}

KTEST_BUGCHECK(wait, verifier_wait_multiple_at_dispatch, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static KEVENT e1, e2;
    static PVOID objs[2] = { &e1, &e2 };
    KIRQL old;
    KeInitializeEvent(&e1, NotificationEvent, FALSE);
    KeInitializeEvent(&e2, NotificationEvent, FALSE);
    KtExpectBugCheck(0x121, (ULONG64)&KeGetCurrentThread()->WaitIrql, (ULONG64)objs, 0);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeWaitForMultipleObjects(2, objs, WaitAny, Executive, KernelMode, FALSE, NULL, NULL);
}

KTEST_BUGCHECK(wait, verifier_mutex_acquire_at_dispatch, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static KMUTEX m;
    static LARGE_INTEGER to;
    KIRQL old;
    to = KtMs(10);
    KeInitializeMutex(&m, 0);
    KtExpectBugCheck(0x122, (ULONG64)&KeGetCurrentThread()->WaitIrql, (ULONG64)&m, (ULONG64)&to);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeWaitForMutexObject(&m, Executive, KernelMode, FALSE, &to); /* free, but still illegal */
}

KTEST_BUGCHECK(wait, verifier_delay_at_dispatch, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static LARGE_INTEGER d;
    KIRQL old;
    d = KtMs(1);
    KtExpectBugCheck(0x122, (ULONG64)&KeGetCurrentThread()->WaitIrql, 0, (ULONG64)&d);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeDelayExecutionThread(KernelMode, FALSE, &d);
}

KTEST_EX(wait, wait_at_dispatch_without_verifier, IRQL_NOT_LESS_OR_EQUAL, "verifier=none")
{
    static KEVENT e;
    KIRQL old;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    KtExpectBugCheck((ULONG64)&e, DISPATCH_LEVEL, 0, KT_ANY);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, NULL);
}

KTEST_BUGCHECK(wait, verifier_set_event_above_dispatch, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static KEVENT e;
    KIRQL old;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    KtExpectBugCheck(0x80, 5, (ULONG64)&e, 0);
    KeRaiseIrql(5, &old);
    KeSetEvent(&e, 0, FALSE);
}

KTEST_BUGCHECK(wait, release_mutex_not_owned_raises, KMODE_EXCEPTION_NOT_HANDLED)
{
    static KMUTEX m;
    KeInitializeMutex(&m, 0);
    KtExpectBugCheck(0xC0000046, KT_ANY, 0, 0);
    KeReleaseMutex(&m, FALSE);
}

KTEST_BUGCHECK(wait, release_semaphore_past_limit_raises, KMODE_EXCEPTION_NOT_HANDLED)
{
    static KSEMAPHORE s;
    KeInitializeSemaphore(&s, 1, 2);
    KeReleaseSemaphore(&s, 0, 1, FALSE);
    KtExpectBugCheck(0xC0000047, KT_ANY, 0, 0);
    KeReleaseSemaphore(&s, 0, 1, FALSE);
}

KTEST_BUGCHECK(wait, too_many_objects_without_wait_blocks, MAXIMUM_WAIT_OBJECTS_EXCEEDED)
{
    static KEVENT e[4];
    static PVOID objs[4];
    for (int i = 0; i < 4; i++) {
        KeInitializeEvent(&e[i], NotificationEvent, FALSE);
        objs[i] = &e[i];
    }
    KtExpectBugCheck(4, 0, 0, 0);
    KeWaitForMultipleObjects(4, objs, WaitAny, Executive, KernelMode, FALSE, NULL, NULL);
}
