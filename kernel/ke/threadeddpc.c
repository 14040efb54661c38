/* ke/threadeddpc.c - threaded DPCs: each processor's queue of them is run by that processor's
 * own thread at PASSIVE_LEVEL and priority 31, so ordinary DPCs preempt them and threads do not. */
#include "ki.h"

/* Woken by the processor's DPC interrupt when its threaded list is not empty. */
static KEVENT KipThreadedDpcEvent[KI_MAX_PROCESSORS];

/* IRQL: any. Threaded DPCs are queued with KeInsertQueueDpc and removed with KeRemoveQueueDpc
 * like ordinary ones; `threadeddpc=off` runs them as ordinary DPCs (Windows' ThreadDpcEnable 0). */
VOID KeInitializeThreadedDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    KeInitializeDpc(Dpc, DeferredRoutine, DeferredContext);
    Dpc->Type = KI_THREADED_DPC_OBJECT;
}

/* The processor's threaded-DPC thread: each DPC is unlinked and marked not queued under the
 * queue's lock at HIGH_LEVEL (as KeInsertQueueDpc touches it), then run at PASSIVE_LEVEL. */
static VOID KipDpcThread(PVOID Context)
{
    PKPRCB prcb = Context;
    for (;;) {
        KeWaitForSingleObject(&KipThreadedDpcEvent[prcb->Number], Executive, KernelMode, FALSE, NULL);
        for (;;) {
            KI_DPC_CALL call;
            KIRQL old = KiRaiseIrqlRaw(HIGH_LEVEL);
            KiAcquireSpinLockRaw(&prcb->DpcLock);
            PKDPC dpc = KiDequeueDpc(&prcb->ThreadedDpcListHead, &prcb->ThreadedDpcDepth, &call);
            if (dpc)
                prcb->ThreadedDpcActive = TRUE;
            KiReleaseSpinLockRaw(&prcb->DpcLock);
            KiLowerIrqlRaw(old);
            if (!dpc)
                break;
            call.Routine(dpc, call.Context, call.Argument1, call.Argument2);
            __atomic_store_n(&prcb->ThreadedDpcActive, FALSE, __ATOMIC_RELEASE);
        }
    }
}

/* DISPATCH_LEVEL, from the processor's DPC interrupt: its thread runs what is queued. */
VOID KiWakeThreadedDpcThread(PKPRCB Prcb)
{
    if (Prcb->ThreadedDpcThread)
        KeSetEvent(&KipThreadedDpcEvent[Prcb->Number], IO_NO_INCREMENT, FALSE);
}

/* PASSIVE_LEVEL, once at boot after every processor started: a thread per processor, bound to
 * it at priority 31 (HIGH_PRIORITY), unless `threadeddpc=off`. */
VOID KiInitializeThreadedDpcs(void)
{
    PCSTR option = KiGetBootOption("threadeddpc");
    if (option && !strncmp(option, "off", 3))
        return;
    /* Each new thread preempts the booting one for a moment; bound here, the booting thread
     * (the tests' and the demo's) is not picked up by another processor meanwhile. */
    KAFFINITY previous = KeSetSystemAffinityThreadEx((KAFFINITY)1 << KeGetCurrentPrcb()->Number);
    for (ULONG n = 0; n < KI_MAX_PROCESSORS; n++) {
        PKTHREAD t;
        if (!(KiActiveProcessors & ((KAFFINITY)1 << n)))
            continue;
        KeInitializeEvent(&KipThreadedDpcEvent[n], SynchronizationEvent, FALSE);
        if (!NT_SUCCESS(KiCreateSystemThreadEx(KipDpcThread, &KiProcessorBlock[n], HIGH_PRIORITY,
                                               "threaded-dpc", (KAFFINITY)1 << n, &t)))
            KeBugCheckEx(0x32 /* PHASE1_INITIALIZATION_FAILED */, STATUS_INSUFFICIENT_RESOURCES, n, 0, 0);
        __atomic_store_n(&KiProcessorBlock[n].ThreadedDpcThread, t, __ATOMIC_RELEASE);
    }
    KeRevertToUserAffinityThreadEx(previous);
}
