/* tests/demo/fltdemo.c - the two filter models in one stack: a minifilter loaded under the Filter
 * Manager's frame and the legacy filter above it, both seeing one read complete from the DPC. */
#include "demo.h"
#include "../../drivers/filter/filter.h"
#include "../flt/demofilter.h"

VOID FltMgrDumpFilters(void); /* drivers/fltmgr/fltmc.c */

static PCSTR DemopIrqlName(KIRQL Irql)
{
    return Irql == PASSIVE_LEVEL ? "PASSIVE_LEVEL" : Irql == APC_LEVEL ? "APC_LEVEL"
           : Irql == DISPATCH_LEVEL ? "DISPATCH_LEVEL" : "DIRQL";
}

VOID DemoFilterManager(void)
{
    UNICODE_STRING driver = RTL_CONSTANT_STRING(L"\\Driver\\DemoFilter"), name = RTL_CONSTANT_STRING(L"DemoFilter");
    static UCHAR buf[4096];
    FILTER_STATS legacy;
    HANDLE h;
    ULONG done = 0;

    DemoSection("Minifilters beside the legacy filter: the Filter Manager's frame sits below it");
    NTSTATUS s = IoCreateDriver(&driver, demofilter_DriverEntry);
    DbgPrint("  loading minifilter DemoFilter (altitude 370030): %s\n", DemoStatus(s));
    if (!NT_SUCCESS(s))
        return;
    FltMgrDumpFilters();
    FltResetStats();
    s = FsOpen(L"\\DOCS\\NESTED\\NUMBERS.TXT", FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL);
    if (NT_SUCCESS(s)) {
        s = FsReadAt(h, 0, buf, sizeof(buf), &done);
        ZwClose(h);
    }
    FltGetStats(&legacy);
    DbgPrint("  a non-cached 4 KiB read of NUMBERS.TXT: %s, %u bytes\n", DemoStatus(s), done);
    DbgPrint("  minifilter pre-read callback: %s (the reading thread)\n", DemopIrqlName(DemoFilterState.PreIrql));
    DbgPrint("  minifilter post-read callback: %s, %llu bytes\n", DemopIrqlName(DemoFilterState.PostIrql),
             DemoFilterState.LastBytes);
    DbgPrint("  legacy filter completion routine, reads: %llu at PASSIVE, %llu at APC, %llu at DISPATCH\n",
             legacy.CompletionIrql[IRP_MJ_READ][0], legacy.CompletionIrql[IRP_MJ_READ][1],
             legacy.CompletionIrql[IRP_MJ_READ][2]);
    DbgPrint("  unloading DemoFilter (fltmc unload): %s\n", DemoStatus(FltUnloadFilter(&name)));
    DemoNotice("the minifilter's post callback and the legacy completion routine ran in the same\n"
               "  DPC, one after the other: a post-operation callback has a completion routine's rules.");
}
