/* ke/kd.c - the debugger's stop for DbgBreakPoint: with the boot option kd the int3 trap
 * lands here, where `make gdb-kd` holds a gdb breakpoint; execution then continues. */
#include "ki.h"

volatile ULONG KdBreakPointCount; /* breaks taken, for the tests */

/* IRQL: any (called from the trap path with interrupts off). Kept out of line and visible
 * so gdb can break on it; the trap frame shows where the break instruction was. */
__attribute__((noinline, used)) VOID KdBreakPointTrap(PKTRAP_FRAME TrapFrame)
{
    DbgPrint("Break instruction exception at %p (kd: continuing)\n", (PVOID)(TrapFrame->Rip - 1));
    KdBreakPointCount++;
}
