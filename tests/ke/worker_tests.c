/* tests/ke/worker_tests.c - ExQueueWorkItem: routines run at PASSIVE_LEVEL in a system
 * worker thread of the queue's priority; what a worker checks when a routine returns. */
#include "kthread_util.h"

typedef struct {
    WORK_QUEUE_ITEM Item;
    KEVENT Done;
    PKTHREAD Thread;
    KIRQL Irql;
    PVOID Parameter;
} KTP_WORK;

static VOID KtpWorkRoutine(PVOID Parameter)
{
    KTP_WORK *w = Parameter;
    w->Thread = KeGetCurrentThread();
    w->Irql = KeGetCurrentIrql();
    w->Parameter = Parameter;
    KeSetEvent(&w->Done, 0, FALSE);
}

static NTSTATUS KtpRunWork(KTP_WORK *w, WORK_QUEUE_TYPE Queue, BOOLEAN AtDispatch)
{
    KIRQL old = PASSIVE_LEVEL;
    RtlZeroMemory(w, sizeof(*w));
    KeInitializeEvent(&w->Done, NotificationEvent, FALSE);
    ExInitializeWorkItem(&w->Item, KtpWorkRoutine, w);
    if (AtDispatch)
        KeRaiseIrql(DISPATCH_LEVEL, &old);
    ExQueueWorkItem(&w->Item, Queue);
    BOOLEAN ranAtDispatch = AtDispatch && w->Thread != NULL; /* at PASSIVE it may run at once */
    if (AtDispatch)
        KeLowerIrql(old);
    if (ranAtDispatch)
        return STATUS_UNSUCCESSFUL;
    LARGE_INTEGER to = KtMs(500);
    return KeWaitForSingleObject(&w->Done, Executive, KernelMode, FALSE, &to);
}

KTEST(worker, work_item_runs_at_passive_in_a_worker_thread)
{
    KTP_WORK w;
    KT_STATUS(KtpRunWork(&w, DelayedWorkQueue, FALSE), STATUS_SUCCESS);
    KT_ASSERT(w.Thread && w.Thread != KeGetCurrentThread());
    KT_ASSERT(w.Thread->StartRoutine == ExpWorkerThread);
    KT_EQ(w.Irql, PASSIVE_LEVEL);
    KT_EQ(w.Parameter, &w);
    KT_EQ(w.Thread->Priority, 12);
    KT_ASSERT(w.Item.List.Flink == NULL); /* may be queued again */
}

KTEST(worker, critical_queue_runs_at_priority_13)
{
    KTP_WORK w;
    KT_STATUS(KtpRunWork(&w, CriticalWorkQueue, FALSE), STATUS_SUCCESS);
    KT_ASSERT(w.Thread->StartRoutine == ExpWorkerThread);
    KT_EQ(w.Thread->Priority, 13);
    KT_EQ(w.Irql, PASSIVE_LEVEL);
}

KTEST(worker, item_queued_at_dispatch_runs_after_irql_drops)
{
    KTP_WORK w;
    KT_STATUS(KtpRunWork(&w, DelayedWorkQueue, TRUE), STATUS_SUCCESS);
    KT_EQ(w.Irql, PASSIVE_LEVEL);
}

static VOID KtpReturnsAtApcLevel(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
}

KTEST_BUGCHECK(worker, routine_returning_at_apc_level, WORKER_THREAD_RETURNED_AT_BAD_IRQL)
{
    static WORK_QUEUE_ITEM item;
    ExInitializeWorkItem(&item, KtpReturnsAtApcLevel, (PVOID)0x1234);
    KtExpectBugCheck((ULONG64)KtpReturnsAtApcLevel, APC_LEVEL, 0x1234, (ULONG64)&item);
    ExQueueWorkItem(&item, DelayedWorkQueue);
}

static VOID KtpReturnsInCriticalRegion(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    KeEnterCriticalRegion();
}

KTEST_BUGCHECK(worker, routine_returning_inside_critical_region, APC_INDEX_MISMATCH)
{
    static WORK_QUEUE_ITEM item;
    ExInitializeWorkItem(&item, KtpReturnsInCriticalRegion, NULL);
    KtExpectBugCheck((ULONG64)KtpReturnsInCriticalRegion, 0, 0xFFFF, 1);
    ExQueueWorkItem(&item, CriticalWorkQueue);
}
