/* ke/trap.c - where every vector lands: CPU exceptions become bug checks (or page-ins),
 * interrupts run at the IRQL their vector encodes, with CR8 doing the masking. */
#include "ki.h"
#include "../hal/hal.h"

VOID (*KiApcInterruptHook)(PKTRAP_FRAME TrapFrame);
VOID (*KiDispatchInterruptHook)(KIRQL InterruptedIrql);
/* Interrupts the CPU actually delivered, per vector, counted where the IDT lands: tests
 * tell a real interrupt from an ISR called by hand with it. */
volatile ULONG64 KiVectorDeliveries[256];

/* The software interrupts and the clock are the kernel's own; the rest are device vectors
 * with interrupt objects. EOI comes first: from here on the APIC masks by CR8 alone, so a
 * handler that switches threads does not leave its vector in service. */
static VOID KipInterrupt(PKTRAP_FRAME tf)
{
    ULONG v = (ULONG)tf->Vector;
    PKPRCB prcb = KeGetCurrentPrcb();
    KIRQL old = KiRaiseIrqlRaw(VECTOR_TO_IRQL(v));

    HalEndOfInterrupt();
    KiVectorDeliveries[v & 0xFF]++;
    prcb->InterruptNesting++;
    _enable();
    if (v == APC_VECTOR) {
        if (KiApcInterruptHook)
            KiApcInterruptHook(tf);
    } else if (v == DISPATCH_VECTOR) {
        KiRetireDpcList(prcb);
        if (KiDispatchInterruptHook)
            KiDispatchInterruptHook(old); /* may switch: this thread may resume on another processor */
    } else if (v == IPI_VECTOR) {
        KiIpiInterrupt(tf);
    } else if (v == CLOCK_VECTOR) {
        prcb->ClockInterruptedIrql = old; /* the DPC watchdog's period counts time at DISPATCH_LEVEL and up */
        KiClockInterrupt(tf);
    } else {
        KiDispatchInterruptVector(v, tf);
    }
    _disable();
    KeGetCurrentPrcb()->InterruptNesting--; /* not prcb: a switch above may have moved the thread */
    KiLowerIrqlRaw(old);
}

VOID KiTrapDispatch(PKTRAP_FRAME TrapFrame)
{
    ULONG v = (ULONG)TrapFrame->Vector;
    if (v == SPURIOUS_VECTOR)
        return; /* no EOI for spurious interrupts */
    if (v < 32 && v != APC_VECTOR)
        KiHandleException(TrapFrame);
    else
        KipInterrupt(TrapFrame);
}

/* Exception codes as Windows reports them in KMODE_EXCEPTION_NOT_HANDLED's P1. */
static ULONG KipExceptionStatus(ULONG Vector)
{
    switch (Vector) {
    case 0: return 0xC0000094; /* STATUS_INTEGER_DIVIDE_BY_ZERO */
    case 1: return 0x80000004; /* STATUS_SINGLE_STEP */
    case 3: return 0x80000003; /* STATUS_BREAKPOINT */
    case 4: return 0xC0000095; /* STATUS_INTEGER_OVERFLOW */
    case 5: return 0xC000008C; /* STATUS_ARRAY_BOUNDS_EXCEEDED */
    case 6: return 0xC000001D; /* STATUS_ILLEGAL_INSTRUCTION */
    case 13: return 0xC0000005; /* general protection: access violation */
    case 14: return 0xC0000005;
    case 16: case 19: return 0xC00002B4; /* STATUS_FLOAT_MULTIPLE_FAULTS */
    case 17: return 0x80000002; /* STATUS_DATATYPE_MISALIGNMENT */
    default: return 0xC0000096; /* STATUS_PRIVILEGED_INSTRUCTION */
    }
}

VOID KiHandleException(PKTRAP_FRAME tf)
{
    ULONG v = (ULONG)tf->Vector;
    if (v == 14) {
        ULONG64 addr = __readcr2();
        if (KiPageFault(tf, addr))
            return;
        /* KiPageFault bug-checks for everything it cannot resolve. */
    }
    if (v == 2 && KiFreezeInProgress)
        KiFreezeExecution(tf); /* another processor is bug-checking and stopped this one */
    if (v == 8 || v == 2 || v == 18)
        KiBugCheckWithFrame(tf, v == 2 ? 0x80 /* NMI_HARDWARE_FAILURE */ : UNEXPECTED_KERNEL_MODE_TRAP, v, 0, 0, 0);
    /* A breakpoint goes to the debugger first (boot option kd: the gdb stub stops in
     * KdBreakPointTrap), then, like every other exception, to a __try handler (rtl/seh.c);
     * the exception address of an int3 is the int3 itself. */
    ULONG64 at = v == 3 ? tf->Rip - 1 : tf->Rip;
    if (v == 3 && KiBootOptionPresent("kd")) {
        KdBreakPointTrap(tf);
        return;
    }
    if (KiDispatchSehException(tf, (NTSTATUS)KipExceptionStatus(v)))
        return;
    KiBugCheckWithFrame(tf, BUGPARAMS_1E(KipExceptionStatus(v), at, v == 3 ? 0 : tf->ErrorCode, 0));
}
