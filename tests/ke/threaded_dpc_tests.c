/* tests/ke/threaded_dpc_tests.c - threaded DPCs: run at PASSIVE_LEVEL on their processor's
 * priority-31 thread, preempted by ordinary DPCs and not by threads; queued, removed and flushed
 * like DPCs; with threadeddpc=off they are ordinary DPCs at DISPATCH_LEVEL. */
#include "../ktest.h"
#include "../../kernel/ke/ki.h"
#include "../../kernel/ke/kthread.h"
#include "../ktspin.h"
#include "kthread_util.h"

typedef struct {
    volatile LONG Runs;
    volatile KIRQL Irql;
    volatile KPRIORITY Priority;
    volatile ULONG Processor;
    PKTHREAD Thread;
    volatile LONG OrdinaryRunsInside; /* an ordinary DPC queued from the routine, run before it went on */
    volatile LONG WokenRunsInside;    /* a priority-30 thread readied by the routine, run meanwhile */
} KT_TDPC_LOG;
static KT_TDPC_LOG KtpT;
static KDPC KtpOrdinary;
static KEVENT KtpWake;
static volatile LONG KtpOrdinaryRuns, KtpWokenRuns;
static volatile BOOLEAN KtpPreemptChecks;

static VOID KtpOrdinaryDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    __atomic_add_fetch(&KtpOrdinaryRuns, 1, __ATOMIC_SEQ_CST);
}

static VOID KtpThreadedDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    KtpT.Irql = KeGetCurrentIrql();
    KtpT.Thread = KeGetCurrentThread();
    KtpT.Priority = KeQueryPriorityThread(KtpT.Thread);
    KtpT.Processor = KeGetCurrentProcessorNumberEx(NULL);
    if (KtpPreemptChecks) {
        KeInsertQueueDpc(&KtpOrdinary, NULL, NULL);   /* at PASSIVE_LEVEL: it runs at once */
        KtpT.OrdinaryRunsInside = KtpOrdinaryRuns;
        KeSetEvent(&KtpWake, IO_NO_INCREMENT, FALSE);  /* a priority-30 waiter: must not run yet */
        KeStallExecutionProcessor(2000);               /* 2 ms of this thread's own time */
        KtpT.WokenRunsInside = KtpWokenRuns;
    }
    __atomic_add_fetch(&KtpT.Runs, 1, __ATOMIC_SEQ_CST);
}

static VOID KtpWokenThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&KtpWake, Executive, KernelMode, FALSE, NULL);
    __atomic_add_fetch(&KtpWokenRuns, 1, __ATOMIC_SEQ_CST);
}

static VOID KtpReset(void)
{
    RtlZeroMemory((PVOID)&KtpT, sizeof(KtpT));
    KtpT.Irql = 0xFF;
    KtpOrdinaryRuns = KtpWokenRuns = 0;
    KtpPreemptChecks = FALSE;
}

/* Queued at PASSIVE_LEVEL it has run when KeInsertQueueDpc returns (the DPC interrupt readies
 * its thread, which preempts this one), at PASSIVE_LEVEL, on a thread of priority 31 that is
 * not this one. */
KTEST(threadeddpc, runs_at_passive_level_on_a_priority_31_thread_before_insert_returns)
{
    KDPC dpc;
    KtpReset();
    KeInitializeThreadedDpc(&dpc, KtpThreadedDpc, NULL);
    KT_EQ(dpc.Type, 0x18); /* ThreadedDpcObject */
    KT_ASSERT(KeInsertQueueDpc(&dpc, NULL, NULL));
    KT_EQ(KtpT.Runs, 1);
    KT_EQ(KtpT.Irql, PASSIVE_LEVEL);
    KT_EQ(KtpT.Priority, HIGH_PRIORITY);
    KT_ASSERT(KtpT.Thread != KeGetCurrentThread());
    KT_ASSERT(KtpT.Thread == KiProcessorBlock[0].ThreadedDpcThread);
}

/* Queued at DISPATCH_LEVEL it waits for IRQL to drop; queued again meanwhile it is refused;
 * removed before that it never runs. */
KTEST(threadeddpc, waits_for_irql_to_drop_and_can_be_removed_like_a_dpc)
{
    KDPC dpc;
    KIRQL old;
    KtpReset();
    KeInitializeThreadedDpc(&dpc, KtpThreadedDpc, NULL);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_ASSERT(KeInsertQueueDpc(&dpc, NULL, NULL));
    KT_ASSERT(!KeInsertQueueDpc(&dpc, NULL, NULL));
    LONG early = KtpT.Runs;
    KeLowerIrql(old);
    KT_EQ(early, 0);
    KT_EQ(KtpT.Runs, 1);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_ASSERT(KeInsertQueueDpc(&dpc, NULL, NULL));
    KT_ASSERT(KeRemoveQueueDpc(&dpc));
    KT_ASSERT(!KeRemoveQueueDpc(&dpc));
    KT_EQ(KiProcessorBlock[0].ThreadedDpcDepth, 0);
    KeLowerIrql(old);
    KeFlushQueuedDpcs();
    KT_EQ(KtpT.Runs, 1); /* the removed one never ran */
}

/* While it runs, an ordinary DPC it queues runs at once (it preempts the threaded DPC), and a
 * thread of priority 30 it wakes does not run until the threaded DPC is done. */
KTEST(threadeddpc, an_ordinary_dpc_preempts_it_and_a_thread_does_not)
{
    KDPC dpc;
    KtpReset();
    KtpPreemptChecks = TRUE;
    KeInitializeDpc(&KtpOrdinary, KtpOrdinaryDpc, NULL);
    KeInitializeEvent(&KtpWake, SynchronizationEvent, FALSE);
    PKTHREAD woken = KtStartThread(KtpWokenThread, NULL, 30);
    KT_ASSERT(woken != NULL);
    LARGE_INTEGER tick = { .QuadPart = -10000 };
    KeDelayExecutionThread(KernelMode, FALSE, &tick); /* it waits on the event now */
    KeInitializeThreadedDpc(&dpc, KtpThreadedDpc, NULL);
    KT_ASSERT(KeInsertQueueDpc(&dpc, NULL, NULL));
    KT_EQ(KtpT.Runs, 1);
    KT_EQ(KtpT.OrdinaryRunsInside, 1);
    KT_EQ(KtpT.WokenRunsInside, 0);
    KT_STATUS(KtJoinThread(woken, 5000), STATUS_SUCCESS);
    KT_EQ(KtpWokenRuns, 1); /* and then it ran */
}

/* Windows' ThreadDpcEnable 0: the same DPC is an ordinary one, at DISPATCH_LEVEL. */
KTEST_EX(threadeddpc, with_threaded_dpcs_off_it_runs_as_an_ordinary_dpc, 0, "threadeddpc=off")
{
    KDPC dpc;
    KtpReset();
    KeInitializeThreadedDpc(&dpc, KtpThreadedDpc, NULL);
    KT_ASSERT(KeInsertQueueDpc(&dpc, NULL, NULL));
    KT_EQ(KtpT.Runs, 1);
    KT_EQ(KtpT.Irql, DISPATCH_LEVEL);
    KT_ASSERT(KiProcessorBlock[0].ThreadedDpcThread == NULL);
}

/* Targeted at processor 1, it runs there, at PASSIVE_LEVEL, on processor 1's own thread; and
 * KeFlushQueuedDpcs waits for it. */
KTEST_EX(threadeddpc, targeted_at_processor_1_it_runs_there_and_a_flush_waits_for_it, 0, "smp=2")
{
    KDPC dpc;
    PROCESSOR_NUMBER pn = { 0, 1, 0 };
    KtpReset();
    KeInitializeThreadedDpc(&dpc, KtpThreadedDpc, NULL);
    KT_STATUS(KeSetTargetProcessorDpcEx(&dpc, &pn), STATUS_SUCCESS);
    KeSetImportanceDpc(&dpc, LowImportance); /* no IPI: it waits for processor 1's tick */
    KT_ASSERT(KeInsertQueueDpc(&dpc, NULL, NULL));
    KeFlushQueuedDpcs();
    KT_EQ(KtpT.Runs, 1);
    KT_EQ(KtpT.Processor, 1);
    KT_EQ(KtpT.Irql, PASSIVE_LEVEL);
    KT_ASSERT(KtpT.Thread == KiProcessorBlock[1].ThreadedDpcThread);
}
