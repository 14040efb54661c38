/* tests/ke/boost_tests.c - NT's priority boosts for satisfied waits (KeSetEvent,
 * KeReleaseSemaphore, KeReleaseMutex, the APC a completed IRP sends), capped at 15 and
 * decaying one level per quantum; and KeSetEvent(Wait = TRUE) with its atomic next wait. */
#include "kthread_util.h"

typedef struct _KTP_WAITER {
    PVOID Object;
    volatile LONG Ran;           /* set once the wait is satisfied */
    volatile LONG Priority;      /* the waiter's priority right after its wait */
    volatile NTSTATUS Status;
} KTP_WAITER;

static VOID KtpWaiter(PVOID Context)
{
    KTP_WAITER *w = Context;
    w->Status = KeWaitForSingleObject(w->Object, Executive, KernelMode, FALSE, NULL);
    w->Priority = KeQueryPriorityThread(KeGetCurrentThread());
    w->Ran = 1;
    if (((DISPATCHER_HEADER *)w->Object)->Type == MutantObject)
        KeReleaseMutex(w->Object, FALSE);
}

/* Starts a waiter at Priority and lets it block (a lower-priority thread needs the caller
 * to sleep before it gets the processor). */
static PKTHREAD KtpStartWaiter(KTP_WAITER *w, PVOID Object, KPRIORITY Priority)
{
    w->Object = Object;
    w->Ran = 0;
    w->Priority = -1;
    PKTHREAD t = KtStartThread(KtpWaiter, w, Priority);
    if (!t)
        return NULL;
    LARGE_INTEGER ms = KtMs(2);
    KeDelayExecutionThread(KernelMode, FALSE, &ms);
    return t;
}

KTEST(boost, set_event_increment_lifts_the_waiter_above_the_setter_and_it_preempts_at_once)
{
    KEVENT e;
    KTP_WAITER w;
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KeInitializeEvent(&e, SynchronizationEvent, FALSE);
    PKTHREAD t = KtpStartWaiter(&w, &e, 7);
    KT_ASSERT(t);
    KT_EQ(t->State, Waiting);
    KeSetEvent(&e, 2, FALSE); /* 7 + 2 = 9 > 8: the waiter runs before KeSetEvent returns */
    KT_EQ(w.Ran, 1);
    KT_EQ(w.Priority, 9);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}

KTEST(boost, no_increment_leaves_a_lower_waiter_behind_the_setter)
{
    KEVENT e;
    KTP_WAITER w;
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KeInitializeEvent(&e, SynchronizationEvent, FALSE);
    PKTHREAD t = KtpStartWaiter(&w, &e, 7);
    KT_ASSERT(t);
    KeSetEvent(&e, IO_NO_INCREMENT, FALSE);
    KT_EQ(w.Ran, 0); /* ready at 7, behind the running 8 */
    KT_EQ(t->State, Ready);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
    KT_EQ(w.Priority, 7);
}

KTEST(boost, boost_is_capped_below_the_realtime_range_and_realtime_threads_get_none)
{
    KEVENT e;
    KTP_WAITER w;
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KeInitializeEvent(&e, SynchronizationEvent, FALSE);
    PKTHREAD t = KtpStartWaiter(&w, &e, 14);
    KT_ASSERT(t);
    KeSetEvent(&e, 8, FALSE);
    KT_EQ(w.Ran, 1);
    KT_EQ(w.Priority, 15); /* 14 + 8, capped at LOW_REALTIME_PRIORITY - 1 */
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);

    t = KtpStartWaiter(&w, &e, 16);
    KT_ASSERT(t);
    KeSetEvent(&e, 8, FALSE);
    KT_EQ(w.Ran, 1);
    KT_EQ(w.Priority, 16);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}

KTEST(boost, semaphore_release_increment_boosts_the_waiter_it_satisfies)
{
    KSEMAPHORE s;
    KTP_WAITER w;
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KeInitializeSemaphore(&s, 0, 4);
    PKTHREAD t = KtpStartWaiter(&w, &s, 6);
    KT_ASSERT(t);
    KeReleaseSemaphore(&s, 3, 1, FALSE);
    KT_EQ(w.Ran, 1);
    KT_EQ(w.Priority, 9);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}

KTEST(boost, mutex_release_gives_the_new_owner_mutant_increment)
{
    KMUTEX m;
    KTP_WAITER w;
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KeInitializeMutex(&m, 0);
    KT_STATUS(KeWaitForSingleObject(&m, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    PKTHREAD t = KtpStartWaiter(&w, &m, 8);
    KT_ASSERT(t);
    KT_EQ(t->State, Waiting);
    KeReleaseMutex(&m, FALSE); /* 8 + MUTANT_INCREMENT: it overtakes its equal */
    KT_EQ(w.Ran, 1);
    KT_EQ(w.Priority, 8 + MUTANT_INCREMENT);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}

/* The decay: a boosted thread that keeps the processor records its priority as it falls. */
static KEVENT KtpDecayGo;
static volatile LONG KtpSeen[16];
static volatile LONG KtpSeenCount;
static volatile ULONG64 KtpSeenTick[16];
static VOID KtpDecayer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    PKTHREAD me = KeGetCurrentThread();
    KeWaitForSingleObject(&KtpDecayGo, Executive, KernelMode, FALSE, NULL);
    ULONG64 end = KeQueryInterruptTime() + 2000ULL * 10000; /* 2 s of virtual time at most */
    LONG last = -1;
    while (KeQueryInterruptTime() < end && KtpSeenCount < 16) {
        LONG p = me->Priority;
        if (p != last) {
            LARGE_INTEGER tc;
            KeQueryTickCount(&tc);
            KtpSeenTick[KtpSeenCount] = tc.QuadPart;
            KtpSeen[KtpSeenCount++] = p;
            last = p;
        }
        if (p == me->BasePriority)
            break;
    }
}

KTEST(boost, boost_decays_one_level_per_quantum_back_to_the_base)
{
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KeInitializeEvent(&KtpDecayGo, SynchronizationEvent, FALSE);
    KtpSeenCount = 0;
    PKTHREAD t = KtStartThread(KtpDecayer, NULL, 4);
    KT_ASSERT(t);
    LARGE_INTEGER ms = KtMs(2);
    KeDelayExecutionThread(KernelMode, FALSE, &ms); /* it reaches its wait */
    KeSetEvent(&KtpDecayGo, 6, FALSE);              /* 4 + 6 = 10 */
    KT_STATUS(KtJoinThread(t, 3000), STATUS_SUCCESS);
    KT_EQ(KtpSeenCount, 7); /* 10, 9, 8, 7, 6, 5, 4 */
    for (LONG i = 0; i < KtpSeenCount; i++)
        KT_EQ(KtpSeen[i], 10 - i);
    for (LONG i = 1; i < KtpSeenCount; i++) /* a level lasts at least a quantum's tick */
        KT_ASSERT(KtpSeenTick[i] > KtpSeenTick[i - 1]);
}

KTEST(boost, set_priority_clears_a_boost_and_sets_the_base)
{
    KEVENT e;
    KTP_WAITER w;
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KeInitializeEvent(&e, SynchronizationEvent, FALSE);
    PKTHREAD t = KtpStartWaiter(&w, &e, 5);
    KT_ASSERT(t);
    KT_EQ(t->BasePriority, 5);
    KeSetPriorityThread(t, 6);
    KT_EQ(t->BasePriority, 6);
    KeSetEvent(&e, 4, FALSE); /* counted from the new base: 10 */
    KT_EQ(w.Priority, 10);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}

/* A special kernel APC with an increment wakes a thread waiting at PASSIVE_LEVEL boosted:
 * this is the path IoCompleteRequest's PriorityBoost takes to the requesting thread. */
static volatile LONG KtpApcPriority;
static VOID KtpBoostApc(PKAPC Apc, PKNORMAL_ROUTINE *N, PVOID *C, PVOID *A1, PVOID *A2)
{
    UNREFERENCED_PARAMETER(Apc);
    UNREFERENCED_PARAMETER(N);
    UNREFERENCED_PARAMETER(C);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    KtpApcPriority = KeQueryPriorityThread(KeGetCurrentThread());
}

KTEST(boost, apc_increment_boosts_the_thread_it_wakes)
{
    KEVENT e;
    KTP_WAITER w;
    KAPC apc;
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    KtpApcPriority = -1;
    PKTHREAD t = KtpStartWaiter(&w, &e, 5);
    KT_ASSERT(t);
    KeInitializeApc(&apc, t, OriginalApcEnvironment, KtpBoostApc, NULL, NULL, KernelMode, NULL);
    KT_ASSERT(KeInsertQueueApc(&apc, NULL, NULL, IO_KEYBOARD_INCREMENT));
    KT_EQ(KtpApcPriority, 5 + IO_KEYBOARD_INCREMENT); /* ran at 11 > 8, before the insert returned */
    KT_EQ(w.Ran, 0);                                   /* and went back to its wait */
    KeSetEvent(&e, 0, FALSE);
    KT_EQ(w.Ran, 1);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}

/* KeSetEvent(Wait = TRUE): the set and the caller's next wait are one step. */
static KEVENT KtpSetEv, KtpReplyEv;
static PKTHREAD KtpSetter;
static volatile LONG KtpSetterState, KtpSetterWaitingOnReply, KtpPartnerRan;
static VOID KtpPartner(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&KtpSetEv, Executive, KernelMode, FALSE, NULL);
    KtpPartnerRan = 1;
    KtpSetterState = KtpSetter->State;
    KtpSetterWaitingOnReply = KtpSetter->WaitCount == 1 && KtpSetter->WaitBlockList[0].Object == &KtpReplyEv;
    KeSetEvent(&KtpReplyEv, 0, FALSE);
}

KTEST(boost, set_event_wait_true_returns_at_dispatch_and_the_next_wait_is_atomic_with_it)
{
    LARGE_INTEGER to = KtMs(2000);
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KeInitializeEvent(&KtpSetEv, SynchronizationEvent, FALSE);
    KeInitializeEvent(&KtpReplyEv, SynchronizationEvent, FALSE);
    KtpSetter = KeGetCurrentThread();
    KtpPartnerRan = 0;
    KtpSetterState = -1;
    PKTHREAD t = KtStartThread(KtpPartner, NULL, 10); /* runs at once and blocks on KtpSetEv */
    KT_ASSERT(t);
    KT_EQ(t->State, Waiting);
    KeSetEvent(&KtpSetEv, 0, TRUE);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL); /* still holding the dispatcher database */
    KT_EQ(KtpPartnerRan, 0);                   /* the readied 10 has not run */
    NTSTATUS st = KeWaitForSingleObject(&KtpReplyEv, Executive, KernelMode, FALSE, &to);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL); /* the wait returns to the IRQL before the set */
    KT_STATUS(st, STATUS_SUCCESS);
    KT_EQ(KtpSetterState, Waiting); /* the partner found us already inside the wait */
    KT_EQ(KtpSetterWaitingOnReply, 1);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}

KTEST(boost, release_semaphore_wait_true_keeps_dispatch_level_until_the_wait)
{
    KSEMAPHORE s;
    KEVENT never;
    LARGE_INTEGER to = KtMs(5);
    KeInitializeSemaphore(&s, 0, 2);
    KeInitializeEvent(&never, NotificationEvent, FALSE);
    KT_EQ(KeReleaseSemaphore(&s, 0, 1, TRUE), 0);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    /* The wait is checked against the IRQL before the release (PASSIVE_LEVEL), so a timeout
     * is legal here although the caller sits at DISPATCH_LEVEL. */
    KT_STATUS(KeWaitForSingleObject(&never, Executive, KernelMode, FALSE, &to), STATUS_TIMEOUT);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ(KeReadStateSemaphore(&s), 1);
}

KTEST_BUGCHECK(boost, verifier_wait_after_wait_true_set_at_dispatch_is_still_checked, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static KEVENT e, other;
    KIRQL old;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    KeInitializeEvent(&other, NotificationEvent, FALSE);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeSetEvent(&e, 0, TRUE); /* at DISPATCH_LEVEL: the wait that follows may not block */
    KtExpectBugCheck(0x121, (ULONG64)&KeGetCurrentThread()->WaitIrql, (ULONG64)&other, 0);
    KeWaitForSingleObject(&other, Executive, KernelMode, FALSE, NULL);
}

KTEST(boost, pulse_event_wakes_every_waiter_of_a_notification_event_and_leaves_it_reset)
{
    KEVENT e;
    KTP_WAITER w[2];
    PKTHREAD t[2];
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    for (int i = 0; i < 2; i++)
        KT_ASSERT((t[i] = KtpStartWaiter(&w[i], &e, 10)) != NULL);
    KT_EQ(KePulseEvent(&e, 0, FALSE), 0);
    KT_EQ(w[0].Ran + w[1].Ran, 2);
    KT_EQ(KeReadStateEvent(&e), 0);
    KT_EQ(KePulseEvent(&e, 0, FALSE), 0); /* no waiter: a set would leave it signaled */
    KT_EQ(KeReadStateEvent(&e), 0);
    KeSetEvent(&e, 0, FALSE);
    KT_EQ(KePulseEvent(&e, 0, FALSE), 1); /* returns the state it found */
    KT_EQ(KeReadStateEvent(&e), 0);
    for (int i = 0; i < 2; i++)
        KT_STATUS(KtJoinThread(t[i], 100), STATUS_SUCCESS);
}

KTEST(boost, pulse_synchronization_event_wakes_exactly_one)
{
    KEVENT e;
    KTP_WAITER w[2];
    PKTHREAD t[2];
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    KeInitializeEvent(&e, SynchronizationEvent, FALSE);
    for (int i = 0; i < 2; i++)
        KT_ASSERT((t[i] = KtpStartWaiter(&w[i], &e, 10)) != NULL);
    KePulseEvent(&e, 0, FALSE);
    KT_EQ(w[0].Ran + w[1].Ran, 1);
    KT_EQ(KeReadStateEvent(&e), 0);
    KePulseEvent(&e, 0, FALSE);
    KT_EQ(w[0].Ran + w[1].Ran, 2);
    for (int i = 0; i < 2; i++)
        KT_STATUS(KtJoinThread(t[i], 100), STATUS_SUCCESS);
}

KTEST(boost, timer_header_size_is_set_as_for_the_other_objects)
{
    KTIMER timer;
    KEVENT ev;
    RtlFillMemory(&timer, sizeof(timer), 0xFF);
    RtlFillMemory(&ev, sizeof(ev), 0xFF);
    KeInitializeTimer(&timer);
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    KT_EQ(timer.Header.Size, sizeof(KTIMER) / sizeof(LONG));
    KT_EQ(ev.Header.Size, sizeof(KEVENT) / sizeof(LONG));
    RtlFillMemory(&timer, sizeof(timer), 0xFF);
    KeInitializeTimerEx(&timer, SynchronizationTimer);
    KT_EQ(timer.Header.Size, sizeof(KTIMER) / sizeof(LONG));
}
