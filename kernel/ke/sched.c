/* ke/sched.c - the dispatcher's scheduler: 32 priority ready queues shared by every processor,
 * preemption by priority and quantum, decided only in a DISPATCH software interrupt or a wait. */
#include "ki.h"
#include "../hal/hal.h"

static LIST_ENTRY KipReadyList[MAXIMUM_PRIORITY];
static volatile ULONG KipReadySummary; /* bit n: KipReadyList[n] is not empty */
PKTHREAD KiIdleThread; /* the boot processor's */
ULONG KiQuantumTicks = KI_DEFAULT_QUANTUM;
volatile ULONG64 KiContextSwitches;

/* IRQL: any. One GS-relative load: a thread preempted between reading the processor block
 * and its CurrentThread could otherwise resume elsewhere and read another processor's. */
PKTHREAD(KeGetCurrentThread)(void)
{
    PKTHREAD t;
    _Static_assert(__builtin_offsetof(KPRCB, CurrentThread) == 8, "gs:8 is CurrentThread");
    __asm__ volatile("movq %%gs:8, %0" : "=r"(t));
    return t;
}

/* IRQL: any. Every processor has its own idle thread, outside the ready queues. */
BOOLEAN KiIsIdleThread(PKTHREAD Thread)
{
    return Thread->Processor < KI_MAX_PROCESSORS && KiProcessorBlock[Thread->Processor].IdleThread == Thread;
}

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

/* The best ready thread of priority >= MinPriority that may run on this processor, taken
 * off its queue; NULL if none. One queue shared by every processor, under the dispatcher
 * lock: a thread whose affinity leaves this processor out is passed over, not taken. */
static PKTHREAD KipSelectReadyThread(LONG MinPriority)
{
    KAFFINITY me = (KAFFINITY)1 << KeGetCurrentPrcb()->Number;
    if (MinPriority >= MAXIMUM_PRIORITY)
        return NULL;
    ULONG summary = KipReadySummary & ~((1u << (MinPriority < 0 ? 0 : MinPriority)) - 1);
    while (summary) {
        LONG p = 31 - __builtin_clz(summary);
        for (PLIST_ENTRY e = KipReadyList[p].Flink; e != &KipReadyList[p]; e = e->Flink) {
            PKTHREAD t = CONTAINING_RECORD(e, KTHREAD, ReadyListEntry);
            if (t->Affinity & me) {
                KipRemoveReady(t);
                return t;
            }
        }
        summary &= ~(1u << p);
    }
    return NULL;
}

/* What a newly ready thread must beat to take a processor: the running thread's priority
 * (-1 for the idle thread), or that of a thread already sent there and not yet picked up. */
static LONG KipProcessorPriority(PKPRCB Prcb)
{
    PKTHREAD cur = Prcb->CurrentThread;
    LONG p = cur == Prcb->IdleThread ? -1 : cur->Priority;
    return Prcb->PendingPriority > p ? Prcb->PendingPriority : p;
}

/* DISPATCH_LEVEL, dispatcher lock held. A thread that becomes ready goes to the processor in
 * its affinity that runs the least important work: an idle one first, else one whose thread
 * it outranks, preferring where it last ran, then its ideal processor, then this one. That
 * processor is asked to reschedule (its own DISPATCH software interrupt, or a reschedule
 * IPI), and the switch happens only when its IRQL is below DISPATCH_LEVEL. If no processor
 * qualifies it waits in the queue for the next one that looks. A thread preempted here goes
 * through this too (AtHead: the front of its queue), or it would wait for this processor
 * while another one idles. */
static VOID KipReadyThread(PKTHREAD Thread, BOOLEAN AtHead)
{
    PKPRCB me = KeGetCurrentPrcb(), best = NULL;
    LONG bestPriority = Thread->Priority;
    KAFFINITY allowed = Thread->Affinity & KiActiveProcessors;
    KipInsertReady(Thread, AtHead);
    for (ULONG n = 0; allowed >> n; n++) {
        if (!(allowed & ((KAFFINITY)1 << n)))
            continue;
        PKPRCB prcb = &KiProcessorBlock[n];
        LONG p = KipProcessorPriority(prcb);
        BOOLEAN preferred = n == Thread->Processor || (best && best->Number != Thread->Processor &&
                                                        (n == Thread->IdealProcessor || prcb == me));
        if (p < bestPriority || (best && p == bestPriority && preferred)) {
            best = prcb;
            bestPriority = p;
        }
    }
    if (!best)
        return;
    if (Thread->Priority > best->PendingPriority)
        best->PendingPriority = Thread->Priority;
    if (best == me)
        HalRequestSoftwareInterrupt(DISPATCH_LEVEL);
    else
        KiIpiSend((KAFFINITY)1 << best->Number, KI_IPI_RESCHEDULE);
}

/* DISPATCH_LEVEL, dispatcher lock held. */
VOID KiReadyThread(PKTHREAD Thread) { KipReadyThread(Thread, FALSE); }

/* DISPATCH_LEVEL, dispatcher lock held; it stays held across the switch and the thread
 * switched to releases it (after KipSwitchTo returns in it, or in KiThreadStartup), so no
 * other processor can pick Old up while this one still runs on Old's stack. OwnerIrql is
 * the IRQL Old runs at beneath this switch: at or above DISPATCH_LEVEL, or inside a DPC
 * routine, a thread must never be switched (ATTEMPTED_SWITCH_FROM_DPC: old thread, new
 * thread, old stack, 0). */
static VOID KipSwitchTo(PKTHREAD Old, PKTHREAD New, KIRQL OwnerIrql)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    if (OwnerIrql >= DISPATCH_LEVEL || prcb->DpcRoutineActive)
        KeBugCheckEx(ATTEMPTED_SWITCH_FROM_DPC, (ULONG_PTR)Old, (ULONG_PTR)New, (ULONG_PTR)Old->StackTop, 0);
    while (__atomic_load_n(&New->SwapBusy, __ATOMIC_ACQUIRE)) /* a second guard: still leaving its stack */
        KiIpiPoll();
    if (New->Quantum <= 0)
        New->Quantum = KiQuantumTicks;
    New->State = Running;
    New->ContextSwitches++;
    KiContextSwitches++;
    prcb->PendingPriority = -1; /* whatever was sent here is this choice or still queued */
    /* The interrupt nesting count belongs to the thread whose stack holds the frames. */
    Old->InterruptNesting = prcb->InterruptNesting;
    prcb->InterruptNesting = New->InterruptNesting;
    prcb->CurrentThread = New;
    New->Processor = prcb->Number;
    /* The APC software interrupt is per processor: re-arm it for a thread with APCs
     * waiting; a spurious one finds nothing to deliver. */
    if (New->KernelApcPending)
        HalRequestSoftwareInterrupt(APC_LEVEL);
    Old->SwapBusy = TRUE;
    prcb->PreviousThread = Old;
    KiSwapContext(&Old->SavedRsp, New->SavedRsp);
    KiFinishSwitch(); /* now on Old's stack again, which another switch has just resumed */
}

/* DISPATCH_LEVEL, on the stack of the thread just switched to, before it releases the
 * dispatcher lock: the thread switched from is off this processor's stack pointer now. */
VOID KiFinishSwitch(void)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    if (prcb->PreviousThread) {
        __atomic_store_n(&prcb->PreviousThread->SwapBusy, FALSE, __ATOMIC_RELEASE);
        prcb->PreviousThread = NULL;
    }
}

/* DISPATCH_LEVEL, called by a thread that has just left the Running state (waiting or
 * terminated, or ready again elsewhere) at OwnerIrql. Returns when the thread is chosen again. */
VOID KiSwapThread(KIRQL OwnerIrql)
{
    PKTHREAD cur = KeGetCurrentThread();
    PKTHREAD next = KipSelectReadyThread(0);
    if (!next)
        next = KeGetCurrentPrcb()->IdleThread;
    if (next != cur)
        KipSwitchTo(cur, next, OwnerIrql);
    else
        cur->State = Running;
}

/* KiDispatchInterruptHook: runs in the 0x2F handler after the DPC queue drains, at
 * DISPATCH_LEVEL, on every processor. The interrupted thread's IRQL (below DISPATCH_LEVEL, or
 * the interrupt would not have been delivered) stays in its own KipInterrupt frame until it
 * resumes, on whichever processor picks it. A thread whose affinity no longer includes this
 * processor (KeSetSystemAffinityThreadEx) leaves it here. */
static VOID KipDispatchInterrupt(KIRQL InterruptedIrql)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    PKTHREAD cur = prcb->CurrentThread, next;
    BOOLEAN quantumEnd = FALSE, idle = cur == prcb->IdleThread;

    KiAcquireQueuedLock(KI_DISPATCHER_LOCK);
    BOOLEAN evicted = !idle && !(cur->Affinity & ((KAFFINITY)1 << prcb->Number));
    if (idle || evicted) {
        next = KipSelectReadyThread(0);
    } else {
        if (cur->Quantum <= 0) {
            quantumEnd = TRUE;
            cur->Quantum = KiQuantumTicks;
            KiDecayPriority(cur); /* boost.c: a boosted thread sinks one level per quantum */
        }
        next = KipSelectReadyThread(quantumEnd ? cur->Priority : cur->Priority + 1);
    }
    if (!next && evicted)
        next = prcb->IdleThread;
    if (next) {
        if (evicted)
            KiReadyThread(cur); /* to a processor it may run on */
        else if (!idle)
            KipReadyThread(cur, !quantumEnd); /* preempted: front of its queue; quantum over: back */
        else
            cur->State = Ready;
        KipSwitchTo(cur, next, InterruptedIrql);
    } else {
        prcb->PendingPriority = -1; /* what was sent here went to another processor */
    }
    KiReleaseQueuedLock(KI_DISPATCHER_LOCK);
}

/* KiClockTickHook, at CLOCK_LEVEL: charge the tick to the running thread and ask for the
 * DISPATCH interrupt when its quantum is over and another thread of its priority waits. */
static VOID KipClockTick(PKTRAP_FRAME TrapFrame)
{
    UNREFERENCED_PARAMETER(TrapFrame);
    PKTHREAD cur = KeGetCurrentThread();
    if (!KiIsIdleThread(cur) && --cur->Quantum <= 0) {
        if (KipReadyAtOrAbove(cur->Priority) || cur->Priority > cur->BasePriority) /* switch or decay */
            HalRequestSoftwareInterrupt(DISPATCH_LEVEL);
        else
            cur->Quantum = KiQuantumTicks;
    }
    if (KeGetCurrentPrcb()->Number == 0)
        KiTimerClockTick(); /* one processor keeps the timer list */
}

/* IRQL <= DISPATCH_LEVEL. Returns the old priority; out-of-range values change nothing. */
KPRIORITY KeSetPriorityThread(PKTHREAD Thread, KPRIORITY Priority)
{
    KPRIORITY old = Thread->Priority;
    if (Priority < LOW_PRIORITY || Priority > HIGH_PRIORITY || KiIsIdleThread(Thread))
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
        else if (Thread->State == Running && KipReadyAtOrAbove(Priority + 1))
            KiIpiSend((KAFFINITY)1 << Thread->Processor, KI_IPI_RESCHEDULE); /* lowered where it runs */
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
    for (ULONG i = 0; i < KI_MAX_PROCESSORS; i++)
        KiProcessorBlock[i].PendingPriority = -1;
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
    if (irql < DISPATCH_LEVEL && !KiIsIdleThread(cur) && (next = KipSelectReadyThread(cur->Priority))) {
        KiReadyThread(cur); /* the back of its queue, or an idle processor */
        KipSwitchTo(cur, next, irql);
    }
    KiReleaseDispatcherDatabase(irql);
}
