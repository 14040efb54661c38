/* ke/dpc.c - deferred procedure calls: a per-processor queue drained by the DISPATCH_LEVEL
 * software interrupt, which the APIC delivers when IRQL falls below DISPATCH_LEVEL. */
#include "ki.h"
#include "../hal/hal.h"

/* IRQL: any. */
VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    Dpc->Type = 0x13; /* DpcObject */
    Dpc->Importance = MediumImportance;
    Dpc->Number = 0;
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
    Dpc->DpcData = NULL;
}

/* IRQL: any. */
VOID KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance) { Dpc->Importance = (UCHAR)Importance; }

/* IRQL: any. The queue is touched at HIGH_LEVEL so no interrupt can see it half-linked;
 * the software interrupt is requested while still at HIGH_LEVEL and fires on the way down,
 * which is why a DPC inserted at PASSIVE_LEVEL has run by the time this returns. */
BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    KIRQL old = KiRaiseIrqlRaw(HIGH_LEVEL);
    if (Dpc->DpcData) {
        KiLowerIrqlRaw(old);
        return FALSE;
    }
    Dpc->SystemArgument1 = SystemArgument1;
    Dpc->SystemArgument2 = SystemArgument2;
    Dpc->DpcData = &prcb->DpcListHead;
    if (Dpc->Importance == HighImportance)
        InsertHeadList(&prcb->DpcListHead, &Dpc->DpcListEntry);
    else
        InsertTailList(&prcb->DpcListHead, &Dpc->DpcListEntry);
    prcb->DpcQueueDepth++;
    HalRequestSoftwareInterrupt(DISPATCH_LEVEL);
    KiLowerIrqlRaw(old);
    return TRUE;
}

/* IRQL: any. A removed DPC never runs. */
BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    KIRQL old = KiRaiseIrqlRaw(HIGH_LEVEL);
    BOOLEAN queued = Dpc->DpcData != NULL;
    if (queued) {
        RemoveEntryList(&Dpc->DpcListEntry);
        Dpc->DpcData = NULL;
        prcb->DpcQueueDepth--;
    }
    KiLowerIrqlRaw(old);
    return queued;
}

/* IRQL: any. */
BOOLEAN KeIsExecutingDpc(void) { return KeGetCurrentPrcb()->DpcRoutineActive; }

/* Runs from the DISPATCH_LEVEL interrupt with IRQL == DISPATCH_LEVEL and interrupts on.
 * Each DPC is unlinked and marked not queued before its routine runs, so it may requeue
 * itself. A routine that returns at another IRQL is a driver bug caught here. */
ULONG (*KiTraceBeginHook)(void);
VOID (*KiTraceEndHook)(UCHAR Kind, PVOID Routine, ULONG Begin);

VOID KiRetireDpcList(PKPRCB Prcb)
{
    for (;;) {
        _disable();
        if (IsListEmpty(&Prcb->DpcListHead)) {
            _enable();
            return;
        }
        PKDPC dpc = CONTAINING_RECORD(RemoveHeadList(&Prcb->DpcListHead), KDPC, DpcListEntry);
        PKDEFERRED_ROUTINE routine = dpc->DeferredRoutine;
        PVOID ctx = dpc->DeferredContext, a1 = dpc->SystemArgument1, a2 = dpc->SystemArgument2;
        dpc->DpcData = NULL;
        Prcb->DpcQueueDepth--;
        _enable();

        Prcb->DpcTimeCount = 0;
        Prcb->DpcRoutineActive = TRUE;
        ULONG begin = KiTraceBeginHook ? KiTraceBeginHook() : 0;
        routine(dpc, ctx, a1, a2);
        if (KiTraceEndHook)
            KiTraceEndHook(5 /* IO_TRACE_DPC */, (PVOID)routine, begin);
        Prcb->DpcRoutineActive = FALSE;
        Prcb->DpcCount++;
        if (KeGetCurrentIrql() != DISPATCH_LEVEL)
            KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)routine, KeGetCurrentIrql(), DISPATCH_LEVEL, 0x5D);
    }
}

/* The DPC watchdog, in clock ticks (so in virtual time under -icount): a single DPC routine
 * still running after the limit stops the system with DPC_WATCHDOG_VIOLATION, P1 = 0 (one
 * DPC exceeded its allotment), P2 = its time count, P3 = the allotment, both in ticks. */
static ULONG KipDpcWatchdogLimit;

/* Once at boot, when the clock rate is known. 20 s by default, as Windows' single-DPC limit. */
VOID KiInitializeDpcWatchdog(ULONG ClockHz)
{
    ULONG64 ms = KiGetBootOptionNumber("dpcwatchdog", 20000);
    KipDpcWatchdogLimit = (ULONG)(ms * ClockHz / 1000);
    if (ms && !KipDpcWatchdogLimit)
        KipDpcWatchdogLimit = 1;
}

/* CLOCK_LEVEL. */
VOID KiDpcWatchdogTick(void)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    if (!prcb->DpcRoutineActive || !KipDpcWatchdogLimit)
        return;
    if (++prcb->DpcTimeCount > KipDpcWatchdogLimit)
        KeBugCheckEx(DPC_WATCHDOG_VIOLATION, 0, prcb->DpcTimeCount, KipDpcWatchdogLimit, 0);
}
