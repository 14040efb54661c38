/* ke/ipi.c - interprocessor interrupts at IPI_LEVEL: request bits in the target's processor
 * block plus one APIC interrupt; KeIpiGenericCall runs a routine on every processor at once. */
#include "ki.h"
#include "../hal/hal.h"

static KSPIN_LOCK KipGenericCallLock;
static struct {
    PKIPI_BROADCAST_WORKER Routine;
    ULONG_PTR Context;
    LONG Count;               /* processors taking part, the caller included */
    volatile LONG Arrived;    /* the barrier before the routine */
    volatile LONG Done;
} KipGenericCall;

/* IRQL: any. Asks each processor in Targets (never the caller) for Requests; the bits are
 * set before the interrupt is sent, so the handler always finds them. */
VOID KiIpiSend(KAFFINITY Targets, LONG Requests)
{
    ULONG self = KeGetCurrentPrcb()->Number;
    Targets &= KiActiveProcessors & ~((KAFFINITY)1 << self);
    for (ULONG n = 0; Targets; n++, Targets >>= 1) {
        if (!(Targets & 1))
            continue;
        __atomic_fetch_or(&KiProcessorBlock[n].IpiRequests, Requests, __ATOMIC_SEQ_CST);
        if (Requests & KI_IPI_DPC)
            __atomic_add_fetch(&KiProcessorBlock[n].DpcIpiRequests, 1, __ATOMIC_SEQ_CST);
        HalSendIpi(KiProcessorBlock[n].ApicId, IPI_VECTOR);
    }
}

static VOID KipGenericCallTarget(void)
{
    PKIPI_BROADCAST_WORKER routine = KipGenericCall.Routine;
    ULONG_PTR context = KipGenericCall.Context;
    __atomic_add_fetch(&KipGenericCall.Arrived, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&KipGenericCall.Arrived, __ATOMIC_ACQUIRE) < KipGenericCall.Count)
        KiIpiPoll();
    routine(context);
    __atomic_add_fetch(&KipGenericCall.Done, 1, __ATOMIC_SEQ_CST);
}

/* Carries out what other processors asked of this one. Called by the IPI interrupt, and by
 * every loop that spins waiting on another processor, so two processors each waiting for
 * the other to answer cannot deadlock with interrupts held off. */
VOID KiIpiPoll(void)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    LONG req = __atomic_exchange_n(&prcb->IpiRequests, 0, __ATOMIC_ACQ_REL);
    if (!req)
        return;
    if (req & KI_IPI_TLB)
        KiFlushTlbTarget();
    if (req & KI_IPI_GENERIC)
        KipGenericCallTarget();
    if (req & KI_IPI_APC)
        HalRequestSoftwareInterrupt(APC_LEVEL);
    if (req & (KI_IPI_DPC | KI_IPI_RESCHEDULE))
        HalRequestSoftwareInterrupt(DISPATCH_LEVEL); /* taken once IRQL drops below DISPATCH */
}

/* The IPI vector's handler, at IPI_LEVEL. */
VOID KiIpiInterrupt(PKTRAP_FRAME TrapFrame)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    UNREFERENCED_PARAMETER(TrapFrame);
    prcb->IpiCount++;
    prcb->LastIpiIrql = KeGetCurrentIrql();
    KiIpiPoll();
}

/* IRQL: < IPI_LEVEL. Every processor is interrupted and raised to IPI_LEVEL; all spin on a
 * barrier until each has arrived, then all run the routine; the call returns when every
 * processor has finished, with the value the routine returned on this one. */
ULONG_PTR KeIpiGenericCall(PKIPI_BROADCAST_WORKER BroadcastFunction, ULONG_PTR Context)
{
    KIRQL cur = KeGetCurrentIrql(), old;
    if (cur >= IPI_LEVEL)
        KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)BroadcastFunction, cur, IPI_LEVEL - 1,
                     (ULONG_PTR)__builtin_return_address(0));
    old = KiRaiseIrqlRaw(cur < DISPATCH_LEVEL ? DISPATCH_LEVEL : cur);
    /* One call at a time; a processor waiting here still takes the others' IPIs. */
    while (!KeTryToAcquireSpinLockAtDpcLevel(&KipGenericCallLock))
        KiIpiPoll();
    KiRaiseIrqlRaw(IPI_LEVEL);
    KipGenericCall.Routine = BroadcastFunction;
    KipGenericCall.Context = Context;
    KipGenericCall.Count = (LONG)KiActiveProcessorCount;
    KipGenericCall.Arrived = 1;
    KipGenericCall.Done = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    KiIpiSend(KiActiveProcessors, KI_IPI_GENERIC);
    while (__atomic_load_n(&KipGenericCall.Arrived, __ATOMIC_ACQUIRE) < KipGenericCall.Count)
        KiIpiPoll();
    ULONG_PTR r = BroadcastFunction(Context);
    __atomic_add_fetch(&KipGenericCall.Done, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&KipGenericCall.Done, __ATOMIC_ACQUIRE) < KipGenericCall.Count)
        KiIpiPoll();
    KiLowerIrqlRaw(DISPATCH_LEVEL);
    KeReleaseSpinLockFromDpcLevel(&KipGenericCallLock);
    KiLowerIrqlRaw(old);
    return r;
}
