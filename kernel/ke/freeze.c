/* ke/freeze.c - the bug-check freeze: the processor that stops the system NMIs every other
 * one, each records its IRQL, thread and frame and halts, and the stop report shows them all. */
#include "ki.h"
#include "../hal/hal.h"

volatile BOOLEAN KiFreezeInProgress;
#define KIP_FREEZE_TIMEOUT_MS 100

/* From the NMI (or a processor that bug-checks while another already is): never returns. */
VOID KiFreezeExecution(PKTRAP_FRAME TrapFrame)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    _disable();
    prcb->FrozenIrql = (KIRQL)__readcr8();
    if (TrapFrame) {
        prcb->FrozenRip = TrapFrame->Rip;
        prcb->FrozenRbp = TrapFrame->Rbp;
    } else {
        prcb->FrozenRip = ((ULONG64 *)KiReadFramePointer())[1];
        prcb->FrozenRbp = ((ULONG64 *)KiReadFramePointer())[0];
    }
    __atomic_store_n(&prcb->Frozen, TRUE, __ATOMIC_RELEASE);
    for (;;)
        __halt(); /* interrupts off; a further NMI finds nothing new to do */
}

/* IRQL: HIGH_LEVEL, interrupts off, by the bug-checking processor. An NMI gets through
 * whatever the target's IRQL or interrupt flag, so a processor spinning with interrupts
 * off stops too. */
VOID KiFreezeOtherProcessors(void)
{
    ULONG self = KeGetCurrentPrcb()->Number;
    __atomic_store_n(&KiFreezeInProgress, TRUE, __ATOMIC_SEQ_CST);
    for (ULONG n = 0; n < KI_MAX_PROCESSORS; n++)
        if (n != self && (KiActiveProcessors & ((KAFFINITY)1 << n)))
            HalSendNmi(KiProcessorBlock[n].ApicId);
    ULONG64 deadline = __rdtsc() + HalTscPerSecond / 1000 * KIP_FREEZE_TIMEOUT_MS;
    for (ULONG n = 0; n < KI_MAX_PROCESSORS; n++)
        if (n != self && (KiActiveProcessors & ((KAFFINITY)1 << n)))
            while (!__atomic_load_n(&KiProcessorBlock[n].Frozen, __ATOMIC_ACQUIRE) && __rdtsc() < deadline)
                _mm_pause();
    KiBreakConsoleLock(); /* a frozen processor may have stopped in the middle of a line */
}

/* The stop report's section for the other processors. */
VOID KiReportFrozenProcessors(void)
{
    ULONG self = KeGetCurrentPrcb()->Number;
    if (KiActiveProcessorCount < 2)
        return;
    DbgPrint("Processors: %u, bug check on processor %u\n", KiActiveProcessorCount, self);
    for (ULONG n = 0; n < KI_MAX_PROCESSORS; n++) {
        PKPRCB p = &KiProcessorBlock[n];
        if (n == self || !(KiActiveProcessors & ((KAFFINITY)1 << n)))
            continue;
        if (!p->Frozen) {
            DbgPrint("Processor %u: did not answer the freeze NMI\n", n);
            continue;
        }
        PKTHREAD t = p->CurrentThread;
        DbgPrint("Processor %u: frozen, IRQL %u, thread %s (id %u)\n", n, p->FrozenIrql, t ? t->Name : "?",
                 t ? t->Id : 0);
        KiPrintBacktrace(p->FrozenRbp, p->FrozenRip);
    }
}
