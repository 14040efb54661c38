/* kernel/vf/vfdelay.c - delay and schedule fuzzing: seeded sleeps or yields in system worker
 * threads before each work item, and seeded busy delays before each DPC routine. */
#include "vfp.h"

static volatile ULONG VfpLastDelay;

/* IRQL: PASSIVE_LEVEL (worker) or DISPATCH_LEVEL (DPC). The draw comes from the rule's own
 * stream, advanced only by the calls it matches, so under -icount the same seed delays the
 * same items by the same amounts. A worker draw of 0 is a yield instead of a sleep. */
VOID VfDelay(VF_SITE Site, PVOID Caller)
{
    ULONG64 seq = 0, call = 0;
    ULONG64 f = VfpLock();
    VF_RULE *r = VfpHit(Site, 0, Caller, &seq, &call);
    ULONG us = r ? (ULONG)(VfpRandom(r) % ((ULONG64)r->MaxUs + 1)) : 0;
    VfpUnlock(f);
    if (!r)
        return;
    VfpLastDelay = us;
    CHAR detail[64];
    BOOLEAN yield = Site == VfSiteDelayWorker && us == 0;
    RtlStringCbPrintfA(detail, sizeof(detail), "%s=%u call=%llu", yield ? "yield" : "us", us, call);
    VfpPrintFault(seq, Site, Caller, detail);
    if (Site == VfSiteDelayDpc) {
        KeStallExecutionProcessor(us);
    } else if (yield) {
        KiYieldThread();
    } else {
        LARGE_INTEGER t = { .QuadPart = -(LONGLONG)us * 10 };
        KeDelayExecutionThread(KernelMode, FALSE, &t);
    }
}

ULONG VfLastDelayUs(void) { return VfpLastDelay; }
