/* ke/dpcflush.c - KeFlushQueuedDpcs: returns once every DPC queued before the call has run,
 * threaded ones too, on every processor, so a driver may free a DPC (or a timer's) after
 * cancelling it. */
#include "ki.h"

/* IRQL: PASSIVE_LEVEL. A DPC queued on this processor runs at the latest when IRQL passes
 * down through DISPATCH_LEVEL, which the raise and lower below force; another processor's
 * queue is asked to drain by a DPC IPI. Then we wait for every queue to be empty and no DPC
 * routine to be running on any processor (yielding, since this thread may share one). */
VOID KeFlushQueuedDpcs(void)
{
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    KiIpiSend(KiActiveProcessors, KI_IPI_DPC);
    KeLowerIrql(old);
    for (ULONG n = 0; n < KI_MAX_PROCESSORS; n++) {
        PKPRCB prcb = &KiProcessorBlock[n];
        if (!(KiActiveProcessors & ((KAFFINITY)1 << n)))
            continue;
        while (__atomic_load_n(&prcb->DpcQueueDepth, __ATOMIC_ACQUIRE) ||
               __atomic_load_n(&prcb->DpcRoutineActive, __ATOMIC_ACQUIRE) ||
               __atomic_load_n(&prcb->ThreadedDpcDepth, __ATOMIC_ACQUIRE) ||
               __atomic_load_n(&prcb->ThreadedDpcActive, __ATOMIC_ACQUIRE))
            KiYieldThread();
    }
}
