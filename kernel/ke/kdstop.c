/* ke/kdstop.c - a bug check as a kernel debugger sees it: KiBugCheckData keeps the code and
 * parameters for gdb's `analyze`, and with debug=break the stop ends in KdBugCheckBreak, where
 * `make gdb` holds a breakpoint, so gdb stops with the faulting frames still on the stack. */
#include "ki.h"

ULONG64 KiBugCheckData[5];       /* code, P1..P4, as Windows' KiBugCheckData */
UCHAR KiBugCheckIrql;            /* the IRQL the stop was raised at */
PKTRAP_FRAME KiBugCheckTrapFrame; /* the faulting context when a trap caused the stop */

/* IRQL: HIGH_LEVEL, from the bug check. Records what `analyze` reads. */
VOID KdRecordBugCheck(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4, KIRQL Irql,
                      PKTRAP_FRAME Frame)
{
    KiBugCheckData[0] = Code;
    KiBugCheckData[1] = P1;
    KiBugCheckData[2] = P2;
    KiBugCheckData[3] = P3;
    KiBugCheckData[4] = P4;
    KiBugCheckIrql = Irql;
    KiBugCheckTrapFrame = Frame;
}

/* IRQL: HIGH_LEVEL. Out of line and never inlined: the debugger's breakpoint. Returning from
 * it (gdb `continue`) lets the stop finish as without a debugger. */
__attribute__((noinline, used)) VOID KdBugCheckBreak(ULONG Code, PKTRAP_FRAME Frame)
{
    __asm__ volatile("" : : "r"(Code), "r"(Frame) : "memory");
}

/* IRQL: any. The boot option debug=break: stop in the debugger on a bug check. */
BOOLEAN KdBreakOnBugCheck(void) { return KiBootOptionHasWord("debug", "break"); }
