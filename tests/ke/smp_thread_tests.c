/* tests/ke/smp_thread_tests.c - threads on every processor: the scheduler spreads ready threads,
 * affinity binds them, no processor switches at DISPATCH_LEVEL, unlocked increments race. */
#include "kthread_util.h"
#include "../ktspin.h"

static volatile KAFFINITY KtpSeenAll;
static volatile LONG KtpGo, KtpStop;

FORCEINLINE KAFFINITY KtpMe(void) { return (KAFFINITY)1 << KeGetCurrentProcessorNumber(); }

/* CPU-bound until every active processor has been seen by one of the spinners (or a bound). */
static VOID KtpSpinner(PVOID Context)
{
    volatile KAFFINITY *mine = Context;
    for (ULONG64 i = 0; i < 200000000ULL && KtpSeenAll != KiActiveProcessors && !KtpStop; i++) {
        KAFFINITY me = KtpMe();
        *mine |= me;
        __atomic_fetch_or(&KtpSeenAll, me, __ATOMIC_RELAXED);
        _mm_pause();
    }
}

static VOID KtpThreadsRunEverywhere(ULONG Processors)
{
    volatile KAFFINITY seen[8] = { 0 };
    HANDLE h[8];
    PKTHREAD t[8];
    ULONG n = Processors * 2;
    KT_EQ(KeQueryActiveProcessorCountEx(0), Processors);
    KtpSeenAll = 0;
    KtpStop = 0;
    for (ULONG i = 0; i < n; i++) {
        KT_STATUS(PsCreateSystemThread(&h[i], 0, NULL, NULL, NULL, KtpSpinner, (PVOID)&seen[i]),
                  STATUS_SUCCESS);
        KT_STATUS(ObReferenceObjectByHandle(h[i], 0, *PsThreadType, KernelMode, (PVOID *)&t[i], NULL),
                  STATUS_SUCCESS);
        KT_EQ(t[i]->Affinity, KeQueryActiveProcessors()); /* a system thread may run anywhere */
        ZwClose(h[i]);
    }
    for (ULONG i = 0; i < n; i++)
        KT_STATUS(KtJoinThread(t[i], 20000), STATUS_SUCCESS);
    KAFFINITY all = 0;
    for (ULONG i = 0; i < n; i++)
        all |= seen[i]; /* what the threads themselves saw, not the shared word */
    DbgPrint("# %u threads saw processors %llx of %llx\n", n, (ULONG64)all, (ULONG64)KiActiveProcessors);
    KT_EQ(all, KiActiveProcessors);
}

KTEST_EX(smpthread, threads_run_on_every_processor_1, 0, "smp=1")
{
    KtpThreadsRunEverywhere(1);
}
KTEST_EX(smpthread, threads_run_on_every_processor_2, 0, "smp=2")
{
    KtpThreadsRunEverywhere(2);
}
KTEST_EX(smpthread, threads_run_on_every_processor_4, 0, "smp=4")
{
    KtpThreadsRunEverywhere(4);
}

/* A thread binds itself to one processor, then sleeps, yields and spins among competitors
 * that want every processor: every processor number it reads is that one. */
/* Wants a processor until told to stop (bounded). */
static VOID KtpHog(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (ULONG64 i = 0; i < 400000000ULL && !KtpStop; i++)
        _mm_pause();
}

typedef struct _KTP_BOUND {
    KAFFINITY Mask, Seen, Previous, AfterRevert;
    ULONG FirstProcessor;
} KTP_BOUND;

static VOID KtpBound(PVOID Context)
{
    KTP_BOUND *b = Context;
    b->Previous = KeSetSystemAffinityThreadEx(b->Mask);
    b->FirstProcessor = KeGetCurrentProcessorNumber(); /* moved before the call returned */
    for (ULONG round = 0; round < 40; round++) {
        LARGE_INTEGER ms = KtMs(1);
        b->Seen |= KtpMe();
        if (round % 3 == 0)
            KeDelayExecutionThread(KernelMode, FALSE, &ms);
        else if (round % 3 == 1)
            KiYieldThread();
        for (ULONG i = 0; i < 20000; i++) {
            b->Seen |= KtpMe();
            _mm_pause();
        }
    }
    KeRevertToUserAffinityThreadEx(b->Previous);
    b->AfterRevert = KeGetCurrentThread()->Affinity;
}

static VOID KtpAffinityRespected(ULONG Processors)
{
    KTP_BOUND b = { .Mask = 2 };
    PKTHREAD hog[8], t;
    KtpStop = 0;
    for (ULONG i = 0; i < Processors; i++)
        KT_ASSERT((hog[i] = KtStartThread(KtpHog, NULL, 8)) != NULL);
    KT_ASSERT((t = KtStartThread(KtpBound, &b, 8)) != NULL);
    KT_STATUS(KtJoinThread(t, 20000), STATUS_SUCCESS);
    KtpStop = 1;
    for (ULONG i = 0; i < Processors; i++)
        KT_STATUS(KtJoinThread(hog[i], 20000), STATUS_SUCCESS);
    KT_EQ(b.Previous, 0);       /* it had no system affinity before */
    KT_EQ(b.FirstProcessor, 1);
    KT_EQ(b.Seen, 2);           /* processor 1 and nothing else */
    KT_EQ(b.AfterRevert, KiActiveProcessors);
}

KTEST_EX(smpthread, a_thread_bound_to_processor_1_only_ever_sees_1_2, 0, "smp=2")
{
    KtpAffinityRespected(2);
}
KTEST_EX(smpthread, a_thread_bound_to_processor_1_only_ever_sees_1_4, 0, "smp=4")
{
    KtpAffinityRespected(4);
}

/* The caller moves at once below DISPATCH_LEVEL, and only on lowering IRQL at it; revert
 * with the value returned restores the user affinity; invalid masks change nothing. */
KTEST_EX(smpthread, set_system_affinity_moves_the_caller_at_once_and_revert_moves_it_back, 0, "smp=2")
{
    PKTHREAD self = KeGetCurrentThread();
    KAFFINITY user = self->Affinity;
    KT_EQ(user, KiActiveProcessors);
    KT_EQ(KeSetSystemAffinityThreadEx(0), 0);          /* no processor: nothing changes */
    KT_EQ(KeSetSystemAffinityThreadEx((KAFFINITY)1 << 5), 0); /* one that does not exist */
    KT_EQ(self->Affinity, user);
    KT_ASSERT(!self->SystemAffinityActive);
    for (ULONG p = 0; p < 2; p++) {
        KT_EQ(KeSetSystemAffinityThreadEx((KAFFINITY)1 << p), 0);
        KT_EQ(KeGetCurrentProcessorNumber(), p);
        KT_EQ(KeSetSystemAffinityThreadEx((KAFFINITY)1 << (1 - p)), (KAFFINITY)1 << p); /* nested */
        KT_EQ(KeGetCurrentProcessorNumber(), 1 - p);
        KeRevertToUserAffinityThreadEx((KAFFINITY)1 << p); /* back to the outer system affinity */
        KT_EQ(KeGetCurrentProcessorNumber(), p);
        KeRevertToUserAffinityThreadEx(0);
        KT_EQ(self->Affinity, user);
        KT_ASSERT(!self->SystemAffinityActive);
    }
    KeRevertToUserAffinityThreadEx((KAFFINITY)1); /* no system affinity set: no effect */
    KT_EQ(self->Affinity, user);

    /* At DISPATCH_LEVEL the move waits for KeLowerIrql. */
    KeSetSystemAffinityThread(1);
    KT_EQ(KeGetCurrentProcessorNumber(), 0);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeSetSystemAffinityThread(2);
    KT_EQ(KeGetCurrentProcessorNumber(), 0);
    KT_EQ(KeGetCurrentThread(), self);
    KeLowerIrql(old);
    KT_EQ(KeGetCurrentProcessorNumber(), 1);
    KeRevertToUserAffinityThread();
    KT_EQ(self->Affinity, user);
}

/* On each processor in turn: a higher-priority thread bound there becomes ready while the
 * caller, bound there too, holds DISPATCH_LEVEL across clock ticks; it must not run until the
 * caller lowers IRQL, and then at once. */
typedef struct _KTP_HIGH {
    KEVENT Go;
    KAFFINITY Mask;
    volatile LONG Bound, Ran;
    volatile ULONG Processor;
} KTP_HIGH;

static VOID KtpHigh(PVOID Context)
{
    KTP_HIGH *h = Context;
    KeSetSystemAffinityThreadEx(h->Mask);
    h->Bound = 1;
    KeWaitForSingleObject(&h->Go, Executive, KernelMode, FALSE, NULL);
    h->Processor = KeGetCurrentProcessorNumber();
    h->Ran = 1;
}

static VOID KtpNoSwitchAtDispatch(ULONG Processors)
{
    PKTHREAD self = KeGetCurrentThread();
    for (ULONG p = 0; p < Processors; p++) {
        KTP_HIGH h = { .Mask = (KAFFINITY)1 << p };
        KeInitializeEvent(&h.Go, SynchronizationEvent, FALSE);
        KeSetSystemAffinityThreadEx(h.Mask);
        KT_EQ(KeGetCurrentProcessorNumber(), p);
        PKTHREAD t = KtStartThread(KtpHigh, &h, 12);
        KT_ASSERT(t);
        KT_ASSERT(KT_SPIN_UNTIL(h.Bound && t->State == Waiting, 2000));
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        ULONG64 ticks = KiTickCount, switches = t->ContextSwitches;
        KeSetEvent(&h.Go, 0, FALSE);
        BOOLEAN ranEarly = KT_SPIN_UNTIL(h.Ran || KiTickCount > ticks + 3, 200) && h.Ran;
        KT_ASSERT(!ranEarly);
        KT_EQ(KeGetCurrentThread(), self);
        KT_EQ(KeGetCurrentProcessorNumber(), p);
        KT_EQ(t->ContextSwitches, switches);
        KT_EQ(t->State, Ready);
        KeLowerIrql(old);
        KT_EQ(h.Ran, 1); /* it preempted the caller as IRQL went down */
        KT_EQ(h.Processor, p);
        KT_STATUS(KtJoinThread(t, 20000), STATUS_SUCCESS);
        KeRevertToUserAffinityThreadEx(0);
    }
}

KTEST_EX(smpthread, no_processor_switches_threads_at_dispatch_level_2, 0, "smp=2")
{
    KtpNoSwitchAtDispatch(2);
}
KTEST_EX(smpthread, no_processor_switches_threads_at_dispatch_level_4, 0, "smp=4")
{
    KtpNoSwitchAtDispatch(4);
}

/* Two threads, bound to processors 0 and 1, increment one counter: a load, a PAUSE (the
 * other processor gets its turn there), a store. Without a lock updates are lost; with a
 * spin lock the count is exact. */
#define KTP_INCREMENTS 20000
static volatile ULONG KtpCounter;
static KSPIN_LOCK KtpCounterLock;
static volatile LONG KtpArrived;
static ULONG KtpMigrated; /* increments made off the processor the thread was bound to */
typedef struct _KTP_INC { ULONG Processor; BOOLEAN Locked; ULONG SeenElsewhere; } KTP_INC;
static __attribute__((noinline)) VOID KtpWindow(void) { _mm_pause(); }

static VOID KtpIncrementer(PVOID Context)
{
    KTP_INC *c = Context;
    KeSetSystemAffinityThreadEx((KAFFINITY)1 << c->Processor);
    __atomic_add_fetch(&KtpArrived, 1, __ATOMIC_SEQ_CST);
    KT_SPIN_UNTIL(KtpArrived == 2, 5000); /* both bound and running before anyone starts */
    for (ULONG i = 0; i < KTP_INCREMENTS; i++) {
        KIRQL irql = PASSIVE_LEVEL;
        if (c->Locked)
            KeAcquireSpinLock(&KtpCounterLock, &irql);
        ULONG v = KtpCounter;
        KtpWindow();
        KtpCounter = v + 1;
        if (c->Locked)
            KeReleaseSpinLock(&KtpCounterLock, irql);
        if (KeGetCurrentProcessorNumber() != c->Processor)
            c->SeenElsewhere++;
    }
    KeRevertToUserAffinityThreadEx(0);
}

static ULONG KtpRace(BOOLEAN Locked)
{
    KTP_INC c[2] = { { 0, Locked, 0 }, { 1, Locked, 0 } };
    PKTHREAD t[2];
    KtpCounter = 0;
    KtpArrived = 0;
    KeInitializeSpinLock(&KtpCounterLock);
    for (ULONG i = 0; i < 2; i++)
        t[i] = KtStartThread(KtpIncrementer, &c[i], 9);
    for (ULONG i = 0; i < 2; i++)
        if (!t[i] || KtJoinThread(t[i], 60000) != STATUS_SUCCESS)
            return 0;
    KtpMigrated += c[0].SeenElsewhere + c[1].SeenElsewhere;
    return KtpCounter;
}

KTEST_EX(smpthread, thread_increments_on_two_processors_race_unlocked_exact_locked, 0,
         "smp=2")
{
    KtpMigrated = 0;
    ULONG unlocked = KtpRace(FALSE);
    DbgPrint("# unlocked: %u of %u increments survived\n", unlocked, 2 * KTP_INCREMENTS);
    /* a stale store can undo many of the other thread's increments, so no lower bound but 1 */
    KT_ASSERT(unlocked > 0);
    KT_ASSERT(unlocked < 2 * KTP_INCREMENTS);    /* updates were lost */
    KT_EQ(KtpRace(TRUE), 2 * KTP_INCREMENTS);    /* the lock excludes the other processor */
    KT_EQ(KtpMigrated, 0);                       /* and each thread stayed on its processor */
}

/* Pairs of threads on every processor hand two synchronization events back and forth and
 * yield in between: thousands of switches with the dispatcher lock contended from all sides,
 * every one a chance for a processor to resume a thread another has not finished leaving.
 * Each thread checks values it keeps in registers and on its stack across every switch. */
#define KTP_PINGS 1500
typedef struct _KTP_PAIR {
    KEVENT Ping, Pong;
    volatile LONG Done[2];
    volatile LONG Corrupt;
} KTP_PAIR;
typedef struct _KTP_SIDE { KTP_PAIR *Pair; ULONG Side; } KTP_SIDE;

static VOID KtpPingPong(PVOID Context)
{
    KTP_SIDE *s = Context;
    KTP_PAIR *p = s->Pair;
    volatile ULONG64 canary[4] = { 0x1111 * (s->Side + 1), (ULONG64)p, (ULONG64)s, ~(ULONG64)p };
    PKTHREAD self = KeGetCurrentThread();
    for (ULONG i = 0; i < KTP_PINGS; i++) {
        if (s->Side == 0) {
            KeSetEvent(&p->Ping, 0, FALSE);
            KeWaitForSingleObject(&p->Pong, Executive, KernelMode, FALSE, NULL);
        } else {
            KeWaitForSingleObject(&p->Ping, Executive, KernelMode, FALSE, NULL);
            KeSetEvent(&p->Pong, 0, FALSE);
        }
        if (i % 4 == 0)
            KiYieldThread();
        if (canary[0] != 0x1111 * (s->Side + 1) || canary[1] != (ULONG64)p || canary[2] != (ULONG64)s ||
            canary[3] != ~(ULONG64)p)
            p->Corrupt |= 1;
        if (KeGetCurrentThread() != self)
            p->Corrupt |= 2;
        /* At PASSIVE_LEVEL the thread may move between the two reads; at DISPATCH_LEVEL it
         * cannot, so a mismatch there is the scheduler's record gone wrong. */
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        if (self->Processor != KeGetCurrentProcessorNumber())
            p->Corrupt |= 4;
        KeLowerIrql(old);
    }
    p->Done[s->Side] = KTP_PINGS;
}

static VOID KtpPingPongEverywhere(ULONG Processors)
{
    static KTP_PAIR pairs[4];
    static KTP_SIDE sides[8];
    PKTHREAD t[8];
    ULONG n = Processors * 2;
    for (ULONG i = 0; i < Processors; i++) {
        KeInitializeEvent(&pairs[i].Ping, SynchronizationEvent, FALSE);
        KeInitializeEvent(&pairs[i].Pong, SynchronizationEvent, FALSE);
        pairs[i].Done[0] = pairs[i].Done[1] = pairs[i].Corrupt = 0;
    }
    for (ULONG i = 0; i < n; i++) {
        sides[i].Pair = &pairs[i / 2];
        sides[i].Side = i % 2;
        KT_ASSERT((t[i] = KtStartThread(KtpPingPong, &sides[i], 8 + (i % 3))) != NULL);
    }
    for (ULONG i = 0; i < n; i++)
        KT_STATUS(KtJoinThread(t[i], 120000), STATUS_SUCCESS);
    for (ULONG i = 0; i < Processors; i++) {
        KT_EQ(pairs[i].Done[0] + pairs[i].Done[1], 2 * KTP_PINGS);
        KT_EQ(pairs[i].Corrupt, 0);
    }
}

KTEST_EX(smpthread, ping_pong_pairs_on_every_processor_switch_thousands_of_times_intact_2, 0, "smp=2")
{
    KtpPingPongEverywhere(2);
}
KTEST_EX(smpthread, ping_pong_pairs_on_every_processor_switch_thousands_of_times_intact_4, 0, "smp=4")
{
    KtpPingPongEverywhere(4);
}

/* A thread preempted on one processor is offered to the others: it must not wait for its own
 * processor while another one idles. The caller (priority 8) sits on processor 0; a priority 9
 * thread bound to processor 0 preempts it and spins until the caller has run again, which it
 * can only do on processor 1. */
static volatile LONG KtpCallerRan;
static VOID KtpPreempter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeSetSystemAffinityThreadEx(1);
    KtpCallerRan = KT_SPIN_UNTIL(KtpCallerRan == 1, 5000) ? 2 : 3;
    KeRevertToUserAffinityThreadEx(0);
}

KTEST_EX(smpthread, a_thread_preempted_on_one_processor_moves_to_an_idle_one, 0, "smp=2")
{
    KPRIORITY old = KeSetPriorityThread(KeGetCurrentThread(), 8);
    KeSetSystemAffinityThreadEx(1); /* on processor 0 ... */
    KeRevertToUserAffinityThreadEx(0); /* ... and free to run anywhere again */
    KT_EQ(KeGetCurrentProcessorNumber(), 0);
    KtpCallerRan = 0;
    PKTHREAD t = KtStartThread(KtpPreempter, NULL, 9);
    KT_ASSERT(t);
    KT_SPIN_UNTIL(t->Affinity == 1 && KeGetCurrentProcessorNumber() == 1, 5000);
    ULONG where = KeGetCurrentProcessorNumber();
    InterlockedCompareExchange(&KtpCallerRan, 1, 0);
    KT_STATUS(KtJoinThread(t, 10000), STATUS_SUCCESS);
    KeSetPriorityThread(KeGetCurrentThread(), old);
    KT_EQ(where, 1);       /* the caller went on on the other processor */
    KT_EQ(KtpCallerRan, 2); /* while the preempter still spun on processor 0 */
}
