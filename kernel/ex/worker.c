/* ex/worker.c - system worker threads: ExQueueWorkItem hands a routine to a small pool of
 * threads per queue, which run it at PASSIVE_LEVEL outside the caller's context. */
#include "../ke/ki.h"
#include <irqlab/vf.h>

typedef struct _EXP_WORK_QUEUE {
    LIST_ENTRY ItemList;
    KSEMAPHORE Items; /* one count per queued item */
    KPRIORITY Priority;
    ULONG Threads;
    PCSTR Name;
} EXP_WORK_QUEUE;

/* Windows' priorities: critical 13, delayed 12, hypercritical 15. */
static EXP_WORK_QUEUE ExpWorkQueues[3] = {
    [CriticalWorkQueue] = { .Priority = 13, .Threads = 2, .Name = "critical-worker" },
    [DelayedWorkQueue] = { .Priority = 12, .Threads = 2, .Name = "delayed-worker" },
    [HyperCriticalWorkQueue] = { .Priority = 15, .Threads = 1, .Name = "hyper-worker" },
};

/* IRQL <= DISPATCH_LEVEL. The item must stay in nonpaged memory until its routine runs;
 * it may be queued again from inside that routine. */
VOID ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType)
{
    EXP_WORK_QUEUE *q = &ExpWorkQueues[(ULONG)QueueType <= HyperCriticalWorkQueue ? QueueType : DelayedWorkQueue];
    KIRQL irql = KiAcquireDispatcherDatabase();
    InsertTailList(&q->ItemList, &WorkItem->List);
    KeReleaseSemaphore(&q->Items, 0, 1, FALSE);
    KiReleaseDispatcherDatabase(irql);
}

/* A worker returns each item's routine to PASSIVE_LEVEL checks, as Windows does:
 * WORKER_THREAD_RETURNED_AT_BAD_IRQL (routine, IRQL, parameter, item) and
 * APC_INDEX_MISMATCH (routine, 0, CombinedApcDisable, 1 = worker routine). */
VOID ExpWorkerThread(PVOID Context)
{
    EXP_WORK_QUEUE *q = Context;
    PKTHREAD self = KeGetCurrentThread();
    for (;;) {
        KeWaitForSingleObject(&q->Items, WrQueue, KernelMode, FALSE, NULL);
        KIRQL irql = KiAcquireDispatcherDatabase();
        PWORK_QUEUE_ITEM item = CONTAINING_RECORD(RemoveHeadList(&q->ItemList), WORK_QUEUE_ITEM, List);
        item->List.Flink = NULL;
        KiReleaseDispatcherDatabase(irql);
        PWORKER_THREAD_ROUTINE routine = item->WorkerRoutine;
        PVOID parameter = item->Parameter;
        if (VfSiteArmed(VfSiteDelayWorker)) /* fault=delay (kernel/vf): shake the item's timing */
            VfDelay(VfSiteDelayWorker, (PVOID)routine);
        routine(parameter); /* the item may be freed from here on */
        KIRQL after = KeGetCurrentIrql();
        if (after != PASSIVE_LEVEL)
            KeBugCheckEx(WORKER_THREAD_RETURNED_AT_BAD_IRQL, (ULONG_PTR)routine, after, (ULONG_PTR)parameter,
                         (ULONG_PTR)item);
        if (self->KernelApcDisable || self->SpecialApcDisable)
            KeBugCheckEx(APC_INDEX_MISMATCH, (ULONG_PTR)routine, 0, KiCombinedApcDisable(self), 1);
    }
}

/* PASSIVE_LEVEL, once, from KiInitializeThreads. */
VOID ExpInitializeWorkerThreads(void)
{
    for (ULONG i = 0; i < ARRAYSIZE(ExpWorkQueues); i++) {
        EXP_WORK_QUEUE *q = &ExpWorkQueues[i];
        InitializeListHead(&q->ItemList);
        KeInitializeSemaphore(&q->Items, 0, 0x7FFFFFFF);
        for (ULONG n = 0; n < q->Threads; n++) {
            PKTHREAD t;
            NTSTATUS st = KiCreateSystemThread(ExpWorkerThread, q, q->Priority, q->Name, &t);
            if (!NT_SUCCESS(st))
                KeBugCheckEx(0x32 /* PHASE1_INITIALIZATION_FAILED */, (ULONG_PTR)st, i, 0, 0);
            KiDereferenceThread(t);
        }
    }
}
