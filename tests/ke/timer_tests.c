/* tests/ke/timer_tests.c - kernel timers: due times, DPCs from the clock-driven expiration
 * DPC, periodic timers, cancellation, synchronization timers. */
#include "kthread_util.h"

static volatile LONG KtpDpcRuns;
static volatile KIRQL KtpDpcIrql;
static VOID KtpTimerDpc(PKDPC Dpc, PVOID Ctx, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Ctx);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    KtpDpcRuns++;
    KtpDpcIrql = KeGetCurrentIrql();
}

static VOID KtpSleep(LONG Ms)
{
    LARGE_INTEGER d = KtMs(Ms);
    KeDelayExecutionThread(KernelMode, FALSE, &d);
}

KTEST(timer, one_shot_timer_signals_and_queues_its_dpc_once)
{
    KTIMER t;
    KDPC d;
    KtpDpcRuns = 0;
    KeInitializeTimer(&t);
    KeInitializeDpc(&d, KtpTimerDpc, NULL);
    KT_ASSERT(!KeSetTimer(&t, KtMs(5), &d));
    KT_ASSERT(!KeReadStateTimer(&t));
    ULONG64 t0 = KeQueryInterruptTime();
    LARGE_INTEGER to = KtMs(200);
    KT_STATUS(KeWaitForSingleObject(&t, Executive, KernelMode, FALSE, &to), STATUS_SUCCESS);
    KT_ASSERT(KeQueryInterruptTime() - t0 >= 50000);
    KT_ASSERT(KeReadStateTimer(&t));
    KT_EQ(KtpDpcRuns, 1);
    KT_EQ(KtpDpcIrql, DISPATCH_LEVEL);
    KtpSleep(10);
    KT_EQ(KtpDpcRuns, 1);
    KT_ASSERT(!KeCancelTimer(&t));
}

static volatile ULONG64 KtpDpcTimes[8];
static VOID KtpPeriodicDpc(PKDPC Dpc, PVOID Ctx, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Ctx);
    if (KtpDpcRuns < 8) /* the expiration time arrives split in the two arguments */
        KtpDpcTimes[KtpDpcRuns] = (ULONG64)(ULONG)(ULONG_PTR)A1 | ((ULONG64)(ULONG_PTR)A2 << 32);
    KtpDpcRuns++;
}

KTEST(timer, periodic_timer_repeats_until_cancelled)
{
    KTIMER t;
    KDPC d;
    KtpDpcRuns = 0;
    KeInitializeTimerEx(&t, NotificationTimer);
    KeInitializeDpc(&d, KtpPeriodicDpc, NULL);
    ULONG64 t0 = KeQueryInterruptTime();
    KeSetTimerEx(&t, KtMs(2), 2, &d);
    for (int i = 0; i < 400 && KtpDpcRuns < 8; i++)
        KtpSleep(5);
    KT_ASSERT(KeCancelTimer(&t));
    KT_ASSERT(KtpDpcRuns >= 8);
    KT_ASSERT(KtpDpcTimes[0] >= t0 + 20000);
    /* Due times are a period apart; each fires at the first clock tick past its due time,
     * so observed spacing is a period give or take one tick, never two periods in one. */
    ULONG64 tick = KeQueryTimeIncrement();
    for (int i = 1; i < 8; i++)
        KT_ASSERT(KtpDpcTimes[i] - KtpDpcTimes[i - 1] + tick >= 20000);
    KT_ASSERT(KtpDpcTimes[7] - KtpDpcTimes[0] + tick >= 7 * 20000);
    LONG runs = KtpDpcRuns;
    KtpSleep(10);
    KT_EQ(KtpDpcRuns, runs);
}

KTEST(timer, cancelled_timer_never_fires)
{
    KTIMER t;
    KDPC d;
    KtpDpcRuns = 0;
    KeInitializeTimer(&t);
    KeInitializeDpc(&d, KtpTimerDpc, NULL);
    KeSetTimer(&t, KtMs(5), &d);
    KT_ASSERT(KeSetTimer(&t, KtMs(5), &d)); /* already queued: requeued */
    KT_ASSERT(KeCancelTimer(&t));
    KtpSleep(12);
    KT_EQ(KtpDpcRuns, 0);
    KT_ASSERT(!KeReadStateTimer(&t));
}

KTEST(timer, synchronization_timer_resets_when_a_wait_is_satisfied)
{
    KTIMER t;
    LARGE_INTEGER to = KtMs(200);
    KeInitializeTimerEx(&t, SynchronizationTimer);
    KeSetTimer(&t, KtMs(2), NULL);
    KT_STATUS(KeWaitForSingleObject(&t, Executive, KernelMode, FALSE, &to), STATUS_SUCCESS);
    KT_ASSERT(!KeReadStateTimer(&t));
}
