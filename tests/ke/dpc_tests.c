/* tests/ke/dpc_tests.c - DPC semantics with the real DISPATCH software interrupt: when a
 * DPC runs relative to IRQL changes, its arguments, importance, requeue and removal. */
#include "../ktest.h"
#include "../../kernel/ke/ki.h"
#include "../../kernel/hal/hal.h"

typedef struct {
    volatile ULONG Runs;
    volatile KIRQL Irql;
    volatile BOOLEAN QueuedInside;
    PVOID Context, A1, A2;
    ULONG Requeue;
    volatile ULONG Order[8];
    volatile ULONG OrderCount;
} KT_DPC_LOG;

static KT_DPC_LOG KtpLog;

static VOID KtpDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    KtpLog.Runs++;
    KtpLog.Irql = KeGetCurrentIrql();
    KtpLog.QueuedInside = Dpc->DpcData != NULL;
    KtpLog.Context = Context;
    KtpLog.A1 = A1;
    KtpLog.A2 = A2;
    if (KtpLog.OrderCount < 8)
        KtpLog.Order[KtpLog.OrderCount++] = (ULONG)(ULONG_PTR)Context;
    if (KtpLog.Requeue) {
        KtpLog.Requeue--;
        KeInsertQueueDpc(Dpc, A1, A2);
    }
}

static VOID KtpReset(void) { RtlZeroMemory(&KtpLog, sizeof(KtpLog)); }

KTEST(dpc, queued_at_passive_runs_before_insert_returns)
{
    KDPC d;
    KtpReset();
    KeInitializeDpc(&d, KtpDpc, (PVOID)7);
    KT_ASSERT(KeInsertQueueDpc(&d, (PVOID)0x11, (PVOID)0x22));
    KT_EQ(KtpLog.Runs, 1);
    KT_EQ(KtpLog.Irql, DISPATCH_LEVEL);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

KTEST(dpc, routine_gets_its_arguments_at_dispatch_level)
{
    KDPC d;
    KtpReset();
    KeInitializeDpc(&d, KtpDpc, (PVOID)0xC0);
    KeInsertQueueDpc(&d, (PVOID)0xA1, (PVOID)0xA2);
    KT_EQ(KtpLog.Context, 0xC0);
    KT_EQ(KtpLog.A1, 0xA1);
    KT_EQ(KtpLog.A2, 0xA2);
    KT_EQ(KtpLog.Irql, DISPATCH_LEVEL);
    KT_ASSERT(!KtpLog.QueuedInside); /* no longer marked queued inside its routine */
}

KTEST(dpc, queued_at_dispatch_runs_only_after_lowering_below_dispatch)
{
    KDPC d;
    KIRQL old;
    KtpReset();
    KeInitializeDpc(&d, KtpDpc, NULL);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeInsertQueueDpc(&d, NULL, NULL);
    KeStallExecutionProcessor(5000); /* clock ticks arrive meanwhile, the DPC does not run */
    KT_EQ(KtpLog.Runs, 0);
    KT_ASSERT(HalIsInterruptPending(DISPATCH_VECTOR));
    KeLowerIrql(PASSIVE_LEVEL);
    KT_EQ(KtpLog.Runs, 1);
    KT_ASSERT(!HalIsInterruptPending(DISPATCH_VECTOR));
}

KTEST(dpc, lowering_from_high_to_dispatch_does_not_run_it)
{
    KDPC d;
    KIRQL old;
    KtpReset();
    KeInitializeDpc(&d, KtpDpc, NULL);
    KeRaiseIrql(HIGH_LEVEL, &old);
    KeInsertQueueDpc(&d, NULL, NULL);
    KeLowerIrql(CLOCK_LEVEL);
    KeLowerIrql(DISPATCH_LEVEL);
    KeStallExecutionProcessor(2000);
    KT_EQ(KtpLog.Runs, 0);
    KeLowerIrql(APC_LEVEL);
    KT_EQ(KtpLog.Runs, 1);
    KeLowerIrql(PASSIVE_LEVEL);
}

KTEST(dpc, inserting_a_queued_dpc_returns_false)
{
    KDPC d;
    KIRQL old;
    KtpReset();
    KeInitializeDpc(&d, KtpDpc, NULL);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_ASSERT(KeInsertQueueDpc(&d, (PVOID)1, NULL));
    KT_ASSERT(!KeInsertQueueDpc(&d, (PVOID)2, NULL));
    KeLowerIrql(old);
    KT_EQ(KtpLog.Runs, 1);
    KT_EQ(KtpLog.A1, 1); /* the second insert changed nothing */
}

KTEST(dpc, removed_dpc_never_runs)
{
    KDPC d;
    KIRQL old;
    KtpReset();
    KeInitializeDpc(&d, KtpDpc, NULL);
    KT_ASSERT(!KeRemoveQueueDpc(&d));
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeInsertQueueDpc(&d, NULL, NULL);
    KT_ASSERT(KeRemoveQueueDpc(&d));
    KT_ASSERT(!KeRemoveQueueDpc(&d));
    KeLowerIrql(old);
    KeStallExecutionProcessor(1000);
    KT_EQ(KtpLog.Runs, 0);
}

KTEST(dpc, high_importance_goes_to_the_head)
{
    KDPC a, b, c;
    KIRQL old;
    KtpReset();
    KeInitializeDpc(&a, KtpDpc, (PVOID)1);
    KeInitializeDpc(&b, KtpDpc, (PVOID)2);
    KeInitializeDpc(&c, KtpDpc, (PVOID)3);
    KeSetImportanceDpc(&c, HighImportance);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeInsertQueueDpc(&a, NULL, NULL);
    KeInsertQueueDpc(&b, NULL, NULL);
    KeInsertQueueDpc(&c, NULL, NULL);
    KeLowerIrql(old);
    KT_EQ(KtpLog.OrderCount, 3);
    KT_EQ(KtpLog.Order[0], 3);
    KT_EQ(KtpLog.Order[1], 1);
    KT_EQ(KtpLog.Order[2], 2);
}

KTEST(dpc, routine_may_requeue_itself)
{
    KDPC d;
    KtpReset();
    KtpLog.Requeue = 4;
    KeInitializeDpc(&d, KtpDpc, NULL);
    KeInsertQueueDpc(&d, NULL, NULL);
    KeStallExecutionProcessor(1000);
    KT_EQ(KtpLog.Runs, 5);
}

/* The classic path: an ISR at its DIRQL queues a DPC that runs once IRQL falls. */
static KDPC KtpIsrDpc;
static volatile KIRQL KtpIsrIrql;
static volatile ULONG KtpIsrRunsAtDpcTime;
static BOOLEAN KtpIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    UNREFERENCED_PARAMETER(Interrupt);
    KtpIsrIrql = KeGetCurrentIrql();
    KeInsertQueueDpc(&KtpIsrDpc, Context, NULL);
    /* still at DIRQL: the DPC must not have run yet */
    KtpIsrRunsAtDpcTime = KtpLog.Runs;
    return TRUE;
}

KTEST(dpc, isr_queues_dpc_that_runs_at_dispatch_after_the_isr)
{
    KINTERRUPT i;
    KtpReset();
    KeInitializeDpc(&KtpIsrDpc, KtpDpc, (PVOID)0x99);
    KeInitializeInterrupt(&i, KtpIsr, (PVOID)0x5, NULL, 0x81, 8, 8, Latched);
    KT_ASSERT(KeConnectInterrupt(&i));
    HalSendSelfIpi(0x81);
    KeStallExecutionProcessor(1000);
    KT_EQ(KtpIsrIrql, 8);
    KT_EQ(KtpIsrRunsAtDpcTime, 0);
    KT_EQ(KtpLog.Runs, 1);
    KT_EQ(KtpLog.Irql, DISPATCH_LEVEL);
    KT_EQ(KtpLog.A1, 0x5);
    KeDisconnectInterrupt(&i);
}

static volatile LONG KtpSeenInDpc = -1;
static VOID KtpRecordExecutingDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    KtpSeenInDpc = KeIsExecutingDpc();
}

/* TRUE inside a DPC routine, FALSE outside it, even at DISPATCH_LEVEL (IRQL is not the test). */
KTEST(dpc, executing_dpc_is_visible)
{
    KDPC d;
    KIRQL old;
    KT_ASSERT(!KeIsExecutingDpc());
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    BOOLEAN atDispatch = KeIsExecutingDpc();
    KeLowerIrql(old);
    KT_ASSERT(!atDispatch);
    KtpSeenInDpc = -1;
    KeInitializeDpc(&d, KtpRecordExecutingDpc, NULL);
    KeInsertQueueDpc(&d, NULL, NULL);
    KT_EQ(KtpSeenInDpc, TRUE);
    KT_ASSERT(!KeIsExecutingDpc()); /* and cleared once the DPC returned */
}

/* The DPC watchdog counts clock ticks (virtual time under -icount), so its figures are exact:
 * with dpcwatchdog=50 at 1000 Hz the allotment is 50 ticks and the stop comes on the 51st. */
static volatile ULONG KtpWatchdogDpcMs;
static VOID KtpSpinningDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    for (ULONG ms = 0; !KtpWatchdogDpcMs || ms < KtpWatchdogDpcMs; ms++)
        KeStallExecutionProcessor(1000); /* the clock keeps interrupting: CLOCK_LEVEL > DISPATCH */
}

KTEST_EX(dpc, dpc_running_past_the_watchdog_allotment_stops_with_0x133, DPC_WATCHDOG_VIOLATION, "dpcwatchdog=50")
{
    KDPC d;
    KtpWatchdogDpcMs = 0; /* forever */
    KeInitializeDpc(&d, KtpSpinningDpc, NULL);
    KtExpectBugCheck(0, 51, 50, 0);
    KeInsertQueueDpc(&d, NULL, NULL);
}

/* Two 30 ms DPCs back to back (60 ms at DISPATCH_LEVEL) are each inside a 50 ms allotment:
 * the count is per DPC routine. */
KTEST_EX(dpc, watchdog_allotment_is_per_dpc_routine, 0, "dpcwatchdog=50")
{
    KDPC a, b;
    KIRQL old;
    ULONG64 t0 = KiTickCount;
    KtpWatchdogDpcMs = 30;
    KeInitializeDpc(&a, KtpSpinningDpc, NULL);
    KeInitializeDpc(&b, KtpSpinningDpc, NULL);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeInsertQueueDpc(&a, NULL, NULL);
    KeInsertQueueDpc(&b, NULL, NULL);
    KeLowerIrql(old);
    KT_ASSERT(KiTickCount - t0 >= 60); /* both ran, 60 ticks in all, no stop */
}

/* The watchdog's second limit: a processor every clock tick has found at DISPATCH_LEVEL or
 * above for the whole period (here a raised section, no DPC) stops with 0x133, P1 = 1, P2 =
 * the period in ticks, P3 = the triage block, P4 = 0. */
KTEST_EX(dpc, dispatch_level_held_past_the_watchdog_period_stops_with_0x133_1, DPC_WATCHDOG_VIOLATION,
         "dpcwatchdogperiod=100")
{
    KIRQL old;
    KtExpectBugCheck(1, 100, (ULONG_PTR)&KiDpcWatchdogTriage, 0);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    for (;;)
        KeStallExecutionProcessor(1000); /* the clock still interrupts: CLOCK_LEVEL > DISPATCH */
}

/* The period counts ticks in a row: 60 ms raised, a tick at PASSIVE_LEVEL, three times over
 * (180 ms at DISPATCH_LEVEL in all) stays inside a 100 ms period. */
KTEST_EX(dpc, a_tick_below_dispatch_level_starts_the_watchdog_period_again, 0, "dpcwatchdogperiod=100")
{
    ULONG64 t0 = KeQueryInterruptTime(); /* the TSC's time, as the stalls': lost ticks cannot shorten it */
    LARGE_INTEGER tick = { .QuadPart = -10000 }; /* 1 ms */
    for (ULONG round = 0; round < 3; round++) {
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        for (ULONG ms = 0; ms < 60; ms++)
            KeStallExecutionProcessor(1000);
        KeLowerIrql(old);
        KeDelayExecutionThread(KernelMode, FALSE, &tick);
    }
    KT_ASSERT(KeQueryInterruptTime() - t0 >= 180 * 10000ULL); /* 180 ms raised in all */
    KT_EQ(KiDpcWatchdogTriage.Ticks, 0); /* no stop was prepared */
}
