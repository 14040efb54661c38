/* drivers/fltmgr/fltverify.c - Filter Verifier: a violation prints "FILTER VERIFIER ERROR" and
 * breaks into the debugger; with no debugger attached that breakpoint stops the machine (0x1E). */
#include "fltmgrp.h"

BOOLEAN FltpVerifying(void) { return MmIsDriverVerifying(FltpGlobals.Driver) != 0; }

static VOID FltpPrintFilter(PFLT_FILTER Filter)
{
    CHAR name[48];
    ULONG i = 0;
    if (!Filter)
        return;
    for (; i < Filter->Driver->DriverName.Length / 2 && i + 1 < sizeof(name); i++)
        name[i] = (CHAR)Filter->Driver->DriverName.Buffer[i];
    name[i] = 0;
    DbgPrint("(Filter = %p (%s))", (PVOID)Filter, name);
}

/* IRQL: any. Windows' Filter Verifier asks "Break, ignore, zap or remove?" at the debugger;
 * without one, its breakpoint is KMODE_EXCEPTION_NOT_HANDLED with STATUS_BREAKPOINT. */
VOID FltpVerifierError(PFLT_FILTER Filter, PCSTR Message, ULONG_PTR Value)
{
    DbgPrint("FILTER VERIFIER ERROR: %s ", Message);
    FltpPrintFilter(Filter);
    DbgPrint(" value 0x%llx\n", (ULONG64)Value);
    for (;;)
        __asm__ volatile(".globl FltpVerifierBreakpoint\nFltpVerifierBreakpoint: int3");
}

/* IRQL == PASSIVE_LEVEL, at FltUnregisterFilter: references the filter still holds. */
VOID FltpCheckUnload(PFLT_FILTER Filter)
{
    if (!FltpVerifying())
        return;
    if (Filter->Contexts)
        FltpVerifierError(Filter, "A filter leaked references to contexts at unload", (ULONG_PTR)Filter->Contexts);
    if (Filter->Names)
        FltpVerifierError(Filter, "A filter leaked references to name information at unload", (ULONG_PTR)Filter->Names);
}
