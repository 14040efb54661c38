/* ke/dpcflush.c - KeFlushQueuedDpcs: returns once every DPC queued before the call has run,
 * so a driver may free a DPC (or a timer's) after cancelling it. */
#include "ki.h"

/* IRQL: PASSIVE_LEVEL. A DPC queued on this processor runs at the latest when IRQL passes
 * down through DISPATCH_LEVEL, which the raise and lower below force; then we wait for the
 * processor's queue to be empty and no DPC routine to be running. */
VOID KeFlushQueuedDpcs(void)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    KeLowerIrql(old);
    while (__atomic_load_n(&prcb->DpcQueueDepth, __ATOMIC_ACQUIRE) || prcb->DpcRoutineActive)
        KiYieldThread();
}
