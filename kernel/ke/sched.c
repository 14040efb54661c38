/* ke/sched.c - the dispatcher's scheduler: 32 priority ready queues, preemption by priority
 * and by quantum, decided only in the DISPATCH_LEVEL software interrupt or by a waiting thread. */
#include "ki.h"
#include "../hal/hal.h"

static LIST_ENTRY KipReadyList[MAXIMUM_PRIORITY];
static volatile ULONG KipReadySummary; /* bit n: KipReadyList[n] is not empty */
PKTHREAD KiIdleThread;
ULONG KiQuantumTicks = KI_DEFAULT_QUANTUM;
volatile ULONG64 KiContextSwitches;

/* IRQL: any. */
PKTHREAD KeGetCurrentThread(void) { return KeGetCurrentPrcb()->CurrentThread; }

PCSTR KiThreadStateName(ULONG State)
{
    static const PCSTR names[] = { "Initialized", "Ready", "Running", "Standby", "Terminated", "Waiting" };
    return State < ARRAYSIZE(names) ? names[State] : "?";
}

static BOOLEAN KipReadyAtOrAbove(LONG Priority)
{
    return Priority <= 0 ? KipReadySummary != 0 : (KipReadySummary >> Priority) != 0;
}

static VOID KipInsertReady(PKTHREAD Thread, BOOLEAN AtHead)
{
    Thread->State = Ready;
    if (AtHead)
        InsertHeadList(&KipReadyList[Thread->Priority], &Thread->ReadyListEntry);
    else
        InsertTailList(&KipReadyList[Thread->Priority], &Thread->ReadyListEntry);
    KipReadySummary |= 1u << Thread->Priority;
}

static VOID KipRemoveReady(PKTHREAD Thread)
{
    RemoveEntryList(&Thread->ReadyListEntry);
    if (IsListEmpty(&KipReadyList[Thread->Priority]))
        KipReadySummary &= ~(1u << Thread->Priority);
}

/* The best ready thread of priority >= MinPriority, taken off its queue; NULL if none. */
static PKTHREAD KipSelectReadyThread(LONG MinPriority)
{
    if (!KipReadyAtOrAbove(MinPriority))
        return NULL;
    LONG p = 31 - __builtin_clz(KipReadySummary);
    PKTHREAD t = CONTAINING_RECORD(KipReadyList[p].Flink, KTHREAD, ReadyListEntry);
    KipRemoveReady(t);
    return t;
}

/* DISPATCH_LEVEL. A thread that becomes ready with a higher priority than the running one
 * preempts it, but only through the DISPATCH software interrupt: while IRQL stays at or
 * above DISPATCH_LEVEL the request waits in the APIC. */
VOID KiReadyThread(PKTHREAD Thread)
{
    PKPRCB target = &KiProcessorBlock[0]; /* threads run on the boot processor */
    PKTHREAD cur = target->CurrentThread;
    KipInsertReady(Thread, FALSE);
    if (cur == target->IdleThread || Thread->Priority > cur->Priority) {
        if (target == KeGetCurrentPrcb())
            HalRequestSoftwareInterrupt(DISPATCH_LEVEL);
        else
            KiIpiSend((KAFFINITY)1 << target->Number, KI_IPI_RESCHEDULE); /* a DPC elsewhere readied it */
    }
}

static VOID KipSwitchTo(PKTHREAD Old, PKTHREAD New)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    if (New->Quantum <= 0)
        New->Quantum = KiQuantumTicks;
    New->State = Running;
    New->ContextSwitches++;
    KiContextSwitches++;
    /* The interrupt nesting count belongs to the thread whose stack holds the frames. */
    Old->InterruptNesting = prcb->InterruptNesting;
    prcb->InterruptNesting = New->InterruptNesting;
    prcb->CurrentThread = New;
    New->Processor = prcb->Number;
    /* The APC software interrupt is per processor: re-arm it for a thread with APCs
     * waiting; a spurious one finds nothing to deliver. */
    if (New->KernelApcPending)
        HalRequestSoftwareInterrupt(APC_LEVEL);
    KiSwapContext(&Old->SavedRsp, New->SavedRsp);
}

/* DISPATCH_LEVEL, called by a thread that has just left the Running state (waiting or
 * terminated). Returns when the thread is chosen again. */
VOID KiSwapThread(void)
{
    PKTHREAD cur = KeGetCurrentThread();
    PKTHREAD next = KipSelectReadyThread(0);
    if (!next)
        next = KiIdleThread;
    if (next != cur)
        KipSwitchTo(cur, next);
    else
        cur->State = Running;
}

/* KiDispatchInterruptHook: runs in the 0x2F handler after the DPC queue drains, at
 * DISPATCH_LEVEL. The interrupted thread's IRQL (below DISPATCH_LEVEL, or the interrupt
 * would not have been delivered) stays in its own KipInterrupt frame until it resumes. */
static VOID KipDispatchInterrupt(void)
{
    PKTHREAD cur = KeGetCurrentThread(), next;
    BOOLEAN quantumEnd = FALSE;

    if (KeGetCurrentPrcb()->Number != 0)
        return; /* the other processors run DPCs and IPIs, not threads */
    KiAcquireQueuedLock(KI_DISPATCHER_LOCK);
    if (cur == KiIdleThread) {
        next = KipSelectReadyThread(0);
    } else {
        if (cur->Quantum <= 0) {
            quantumEnd = TRUE;
            cur->Quantum = KiQuantumTicks;
            KiDecayPriority(cur); /* boost.c: a boosted thread sinks one level per quantum */
        }
        next = KipSelectReadyThread(quantumEnd ? cur->Priority : cur->Priority + 1);
    }
    if (next) {
        if (cur != KiIdleThread)
            KipInsertReady(cur, !quantumEnd); /* preempted: front of its queue; quantum over: back */
        else
            cur->State = Ready;
        KipSwitchTo(cur, next);
    }
    KiReleaseQueuedLock(KI_DISPATCHER_LOCK);
}

/* KiClockTickHook, at CLOCK_LEVEL: charge the tick to the running thread and ask for the
 * DISPATCH interrupt when its quantum is over and another thread of its priority waits. */
static VOID KipClockTick(PKTRAP_FRAME TrapFrame)
{
    UNREFERENCED_PARAMETER(TrapFrame);
    PKTHREAD cur = KeGetCurrentThread();
    if (cur != KiIdleThread && --cur->Quantum <= 0) {
        if (KipReadyAtOrAbove(cur->Priority) || cur->Priority > cur->BasePriority) /* switch or decay */
            HalRequestSoftwareInterrupt(DISPATCH_LEVEL);
        else
            cur->Quantum = KiQuantumTicks;
    }
    KiTimerClockTick();
}

/* IRQL <= DISPATCH_LEVEL. Returns the old priority; out-of-range values change nothing. */
KPRIORITY KeSetPriorityThread(PKTHREAD Thread, KPRIORITY Priority)
{
    KPRIORITY old = Thread->Priority;
    if (Priority < LOW_PRIORITY || Priority > HIGH_PRIORITY || Thread == KiIdleThread)
        return old;
    KIRQL irql = KiAcquireDispatcherDatabase();
    Thread->BasePriority = Priority; /* and any boost is gone */
    if (Thread->State == Ready) {
        KipRemoveReady(Thread);
        Thread->Priority = Priority;
        KiReadyThread(Thread);
    } else {
        Thread->Priority = Priority;
        if (Thread == KeGetCurrentThread() && KipReadyAtOrAbove(Priority + 1))
            HalRequestSoftwareInterrupt(DISPATCH_LEVEL);
    }
    KiReleaseDispatcherDatabase(irql);
    return old;
}

/* IRQL: any. */
KPRIORITY KeQueryPriorityThread(PKTHREAD Thread) { return Thread->Priority; }

VOID KiInitializeScheduler(void)
{
    for (ULONG i = 0; i < MAXIMUM_PRIORITY; i++)
        InitializeListHead(&KipReadyList[i]);
    KiQuantumTicks = (ULONG)KiGetBootOptionNumber("quantum", KI_DEFAULT_QUANTUM);
    if (KiQuantumTicks == 0)
        KiQuantumTicks = KI_DEFAULT_QUANTUM;
    KiDispatchInterruptHook = KipDispatchInterrupt;
    KiClockTickHook = KipClockTick;
}

/* IRQL <= DISPATCH_LEVEL; only below DISPATCH_LEVEL does it switch. The caller goes to the
 * back of its ready queue if a thread of its priority or higher is waiting. */
VOID KiYieldThread(void)
{
    KIRQL irql = KiAcquireDispatcherDatabase();
    PKTHREAD cur = KeGetCurrentThread(), next;
    if (irql < DISPATCH_LEVEL && cur != KiIdleThread && (next = KipSelectReadyThread(cur->Priority))) {
        KipInsertReady(cur, FALSE);
        KipSwitchTo(cur, next);
    }
    KiReleaseDispatcherDatabase(irql);
}
