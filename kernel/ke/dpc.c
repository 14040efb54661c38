/* ke/dpc.c - deferred procedure calls: a queue per processor, drained by that processor's
 * DISPATCH_LEVEL software interrupt; a DPC targeted at another processor reaches it by IPI. */
#include "ki.h"
#include "../hal/hal.h"
#include <irqlab/vf.h>

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

#define KI_DPC_TARGETED 0x100 /* Dpc->Number: KeSetTargetProcessorDpc named processor (low byte) */
#define KI_DPC_MAXIMUM_DEPTH 4 /* a deferred queue this deep is drained at once, as on Windows */

/* IRQL: any. The DPC then runs on that processor's queue, whichever processor queues it. */
VOID KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number)
{
    Dpc->Number = (USHORT)(KI_DPC_TARGETED | (UCHAR)Number);
}

/* IRQL: any. STATUS_INVALID_PARAMETER for a processor that does not exist. */
NTSTATUS KeSetTargetProcessorDpcEx(PKDPC Dpc, PPROCESSOR_NUMBER ProcNumber)
{
    ULONG index = KeGetProcessorIndexFromNumber(ProcNumber);
    if (index == 0xFFFFFFFF)
        return STATUS_INVALID_PARAMETER;
    KeSetTargetProcessorDpc(Dpc, (CCHAR)index);
    return STATUS_SUCCESS;
}

static PKPRCB KipDpcTarget(PRKDPC Dpc, PKPRCB Current)
{
    ULONG n = Dpc->Number & 0xFF;
    if ((Dpc->Number & KI_DPC_TARGETED) && n < KI_MAX_PROCESSORS && (KiActiveProcessors & ((KAFFINITY)1 << n)))
        return &KiProcessorBlock[n];
    return Current;
}

/* IRQL: any. The queue is touched at HIGH_LEVEL under its lock, so no interrupt and no
 * other processor sees it half-linked. On this processor's queue the DISPATCH software
 * interrupt is requested while still at HIGH_LEVEL and fires on the way down, which is why
 * a DPC inserted at PASSIVE_LEVEL has run by the time this returns. On another processor's
 * queue, as Windows documents: HighImportance and MediumHighImportance interrupt it at
 * once (a DPC IPI), so does a queue KI_DPC_MAXIMUM_DEPTH deep; otherwise the DPC waits for
 * that processor's next clock tick. */
BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    KIRQL old = KiRaiseIrqlRaw(HIGH_LEVEL);
    PKPRCB me = KeGetCurrentPrcb(), prcb = KipDpcTarget(Dpc, me);
    PVOID expected = NULL;
    /* A threaded DPC goes on the processor's threaded list, which its DPC interrupt hands to
     * the processor's threaded-DPC thread; with threaded DPCs off it is an ordinary DPC. */
    BOOLEAN threaded = Dpc->Type == KI_THREADED_DPC_OBJECT && prcb->ThreadedDpcThread;
    PLIST_ENTRY list = threaded ? &prcb->ThreadedDpcListHead : &prcb->DpcListHead;
    KiAcquireSpinLockRaw(&prcb->DpcLock);
    /* DpcData claims the DPC: two processors queueing it at once cannot both succeed. */
    if (!__atomic_compare_exchange_n(&Dpc->DpcData, &expected, list, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        KiReleaseSpinLockRaw(&prcb->DpcLock);
        KiLowerIrqlRaw(old);
        return FALSE;
    }
    Dpc->SystemArgument1 = SystemArgument1;
    Dpc->SystemArgument2 = SystemArgument2;
    if (Dpc->Importance == HighImportance)
        InsertHeadList(list, &Dpc->DpcListEntry);
    else
        InsertTailList(list, &Dpc->DpcListEntry);
    ULONG depth = threaded ? ++prcb->ThreadedDpcDepth : ++prcb->DpcQueueDepth;
    KiReleaseSpinLockRaw(&prcb->DpcLock);
    if (prcb == me)
        HalRequestSoftwareInterrupt(DISPATCH_LEVEL);
    else if (Dpc->Importance == HighImportance || Dpc->Importance == MediumHighImportance ||
             depth >= KI_DPC_MAXIMUM_DEPTH)
        KiIpiSend((KAFFINITY)1 << prcb->Number, KI_IPI_DPC);
    KiLowerIrqlRaw(old);
    return TRUE;
}

/* IRQL: any. A removed DPC never runs; it may sit on any processor's queue. */
BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc)
{
    KIRQL old = KiRaiseIrqlRaw(HIGH_LEVEL);
    PLIST_ENTRY head = __atomic_load_n((PLIST_ENTRY *)&Dpc->DpcData, __ATOMIC_ACQUIRE);
    BOOLEAN queued = FALSE;
    if (head) {
        /* the list is a processor's ordinary or threaded one */
        PKPRCB prcb = KiProcessorBlock;
        while (&prcb->DpcListHead != head && &prcb->ThreadedDpcListHead != head)
            prcb++;
        KiAcquireSpinLockRaw(&prcb->DpcLock);
        if (Dpc->DpcData == head) { /* not run (or moved) since we looked */
            RemoveEntryList(&Dpc->DpcListEntry);
            Dpc->DpcData = NULL;
            if (head == &prcb->ThreadedDpcListHead)
                prcb->ThreadedDpcDepth--;
            else
                prcb->DpcQueueDepth--;
            queued = TRUE;
        }
        KiReleaseSpinLockRaw(&prcb->DpcLock);
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
        KI_DPC_CALL call;
        _disable();
        KiAcquireSpinLockRaw(&Prcb->DpcLock);
        PKDPC dpc = KiDequeueDpc(&Prcb->DpcListHead, &Prcb->DpcQueueDepth, &call);
        KiReleaseSpinLockRaw(&Prcb->DpcLock);
        _enable();
        if (!dpc) {
            if (Prcb->ThreadedDpcDepth)
                KiWakeThreadedDpcThread(Prcb);
            return;
        }
        PKDEFERRED_ROUTINE routine = call.Routine;
        Prcb->DpcTimeCount = 0;
        Prcb->DpcRoutineActive = TRUE;
        ULONG begin = KiTraceBeginHook ? KiTraceBeginHook() : 0;
        if (VfSiteArmed(VfSiteDelayDpc)) /* fault=delay (kernel/vf): a seeded stall first */
            VfDelay(VfSiteDelayDpc, (PVOID)routine);
        routine(dpc, call.Context, call.Argument1, call.Argument2);
        if (KiTraceEndHook)
            KiTraceEndHook(5 /* IO_TRACE_DPC */, (PVOID)routine, begin);
        Prcb->DpcRoutineActive = FALSE;
        Prcb->DpcCount++;
        if (KeGetCurrentIrql() != DISPATCH_LEVEL)
            KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)routine, KeGetCurrentIrql(), DISPATCH_LEVEL, 0x5D);
    }
}

/* The DPC watchdog, in clock ticks (so in virtual time under -icount), two limits as on
 * Windows. A single DPC routine still running after its allotment stops the system with
 * DPC_WATCHDOG_VIOLATION, P1 = 0 (one DPC exceeded its allotment), P2 = its time count, P3 =
 * the allotment, both in ticks. A processor that every tick for the watchdog period has found
 * at DISPATCH_LEVEL or above (DPCs back to back, a spin lock held, a raised section) stops it
 * with P1 = 1 (the system cumulatively spent an extended period of time at DISPATCH_LEVEL or
 * above), P2 = the period in ticks, P3 = the triage block, P4 = 0. */
static ULONG KipDpcWatchdogLimit, KipDpcWatchdogPeriod;
KI_DPC_WATCHDOG_TRIAGE KiDpcWatchdogTriage;

static ULONG KipMsToTicks(ULONG64 Ms, ULONG ClockHz)
{
    ULONG ticks = (ULONG)(Ms * ClockHz / 1000);
    return Ms && !ticks ? 1 : ticks;
}

/* Once at boot, when the clock rate is known: 20 s for one DPC and 120 s in all by default,
 * Windows' limits (`dpcwatchdog=MS`, `dpcwatchdogperiod=MS`, 0 turns one off). */
VOID KiInitializeDpcWatchdog(ULONG ClockHz)
{
    KipDpcWatchdogLimit = KipMsToTicks(KiGetBootOptionNumber("dpcwatchdog", 20000), ClockHz);
    KipDpcWatchdogPeriod = KipMsToTicks(KiGetBootOptionNumber("dpcwatchdogperiod", 120000), ClockHz);
}

/* CLOCK_LEVEL. */
VOID KiDpcWatchdogTick(PKTRAP_FRAME TrapFrame)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    if (prcb->ClockInterruptedIrql < DISPATCH_LEVEL)
        prcb->DpcWatchdogCount = 0;
    else if (KipDpcWatchdogPeriod && ++prcb->DpcWatchdogCount > KipDpcWatchdogPeriod) {
        KiDpcWatchdogTriage.Processor = prcb->Number;
        KiDpcWatchdogTriage.Ticks = prcb->DpcWatchdogCount;
        KiDpcWatchdogTriage.Rip = TrapFrame->Rip;
        KiDpcWatchdogTriage.Irql = prcb->ClockInterruptedIrql;
        KeBugCheckEx(DPC_WATCHDOG_VIOLATION, 1, KipDpcWatchdogPeriod, (ULONG_PTR)&KiDpcWatchdogTriage, 0);
    }
    if (!prcb->DpcRoutineActive || !KipDpcWatchdogLimit)
        return;
    if (++prcb->DpcTimeCount > KipDpcWatchdogLimit)
        KeBugCheckEx(DPC_WATCHDOG_VIOLATION, 0, prcb->DpcTimeCount, KipDpcWatchdogLimit, 0);
}
