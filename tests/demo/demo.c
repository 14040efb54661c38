/* tests/demo/demo.c - `make run`: the sections in order, and the helpers that keep every
 * section readable (a heading, names instead of numbers, one closing sentence). */
#include "demo.h"

VOID DemoFileSystem(void);
VOID DemoCompletionOnOtherProcessor(void); /* smpdemo.c: only with two or more processors */

/* IRQL: any. */
VOID DemoSection(PCSTR Title) { DbgPrint("\n== %s ==\n", Title); }

/* IRQL: any. The one sentence on what to notice, closing each section. */
VOID DemoNotice(PCSTR Sentence) { DbgPrint("  Notice: %s\n", Sentence); }

/* IRQL: any. Not reentrant: one static buffer for unnamed statuses. */
PCSTR DemoStatus(NTSTATUS Status)
{
    static CHAR buf[16];
    PCSTR n = RtlNtStatusName(Status);
    if (n)
        return n;
    RtlStringCbPrintfA(buf, sizeof(buf), "0x%08x", (ULONG)Status);
    return buf;
}

/* Entered from KiSystemStartup when no test or bench was asked for. */
VOID KiRunDemo(void)
{
    DemoIrql();
    DemoThreads();
    DemoFileSystem();
    DemoCompletionOnOtherProcessor();
    DbgPrint("\nDemo done; powering off.\n");
}
