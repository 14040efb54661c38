/* kernel/vf/vfdisk.c - what the RAM disk's simulated controller asks: does this request fail
 * (and how much of a write lands first), how late does it complete, which queued request goes
 * next, and is an interrupt raised with nothing in flight. */
#include "vfp.h"

static PCSTR VfpStatusName(NTSTATUS S)
{
    return S == STATUS_CRC_ERROR ? "STATUS_CRC_ERROR"
         : S == STATUS_DEVICE_DATA_ERROR ? "STATUS_DEVICE_DATA_ERROR" : "STATUS_IO_DEVICE_ERROR";
}

/* IRQL <= DISPATCH_LEVEL. A sector-range rule hits a request that overlaps its range. */
BOOLEAN VfDiskError(BOOLEAN Write, ULONG64 Sector, ULONG Count, VF_DISK_FAULT *Fault)
{
    VF_SITE site = Write ? VfSiteDiskWrite : VfSiteDiskRead;
    if (!VfpArmed(site))
        return FALSE;
    ULONG64 seq = 0, call = 0;
    ULONG64 f = VfpLock();
    VF_RULE *r = VfpHit(site, VF_DISK_KEY(Sector, Count), NULL, &seq, &call);
    if (r) {
        Fault->Status = r->Status;
        Fault->TornSectors = Write && r->Torn < Count ? r->Torn : 0;
    }
    VfpUnlock(f);
    if (!r)
        return FALSE;
    CHAR detail[112];
    RtlStringCbPrintfA(detail, sizeof(detail), "sector=%llu count=%u status=%s torn=%u call=%llu", Sector, Count,
                       VfpStatusName(Fault->Status), Fault->TornSectors, call);
    VfpPrintFault(seq, site, __builtin_return_address(0), detail);
    return TRUE;
}

/* One timing decision: the first timing rule asking for Kind, under the lock. */
static VF_RULE *VfpTimingRule(ULONG Kind)
{
    for (ULONG i = 0; i < VfpRuleCount; i++) {
        VF_RULE *r = &VfpRules[i];
        if ((r->Sites & (1u << VfSiteDiskTiming)) &&
            ((Kind == 0 && r->JitterUs) || (Kind == 1 && r->Reorder) || (Kind == 2 && r->SpuriousPpm)))
            return r;
    }
    return NULL;
}

static VOID VfpTimingFault(VF_RULE *R, PCSTR What, ULONG64 Value, PVOID Caller, ULONG64 Flags)
{
    R->Faults++;
    ULONG64 seq = VfpNextSeq(VfSiteDiskTiming);
    VfpUnlock(Flags);
    CHAR detail[64];
    RtlStringCbPrintfA(detail, sizeof(detail), "%s=%llu", What, Value);
    VfpPrintFault(seq, VfSiteDiskTiming, Caller, detail);
}

/* IRQL: any. */
ULONG VfDiskJitterUs(void)
{
    if (!VfpArmed(VfSiteDiskTiming))
        return 0;
    ULONG64 f = VfpLock();
    VfpCountCall(VfSiteDiskTiming);
    VF_RULE *r = VfpTimingRule(0);
    if (!r) {
        VfpUnlock(f);
        return 0;
    }
    r->Matched++;
    ULONG us = (ULONG)(VfpRandom(r) % (r->JitterUs + 1));
    VfpTimingFault(r, "jitter_us", us, __builtin_return_address(0), f);
    return us;
}

/* IRQL: any. Read before the driver decides how its controller interrupts. */
ULONG VfDiskMaxJitterUs(void)
{
    ULONG m = 0;
    for (ULONG i = 0; i < VfpRuleCount; i++)
        if (VfpRules[i].JitterUs > m)
            m = VfpRules[i].JitterUs;
    return m;
}

/* IRQL: any. */
ULONG VfDiskPickNext(ULONG Queued)
{
    if (Queued < 2 || !VfpArmed(VfSiteDiskTiming))
        return 0;
    ULONG64 f = VfpLock();
    VfpCountCall(VfSiteDiskTiming);
    VF_RULE *r = VfpTimingRule(1);
    ULONG pick = r ? (ULONG)(VfpRandom(r) % Queued) : 0;
    if (r)
        r->Matched++;
    if (!pick) {
        VfpUnlock(f);
        return 0;
    }
    VfpTimingFault(r, "reorder_pick", pick, __builtin_return_address(0), f);
    return pick;
}

/* IRQL: any. */
BOOLEAN VfDiskSpuriousInterrupt(void)
{
    if (!VfpArmed(VfSiteDiskTiming))
        return FALSE;
    ULONG64 f = VfpLock();
    VfpCountCall(VfSiteDiskTiming);
    VF_RULE *r = VfpTimingRule(2);
    BOOLEAN yes = r && (r->Matched++, VfpRandom(r) % 1000000 < r->SpuriousPpm);
    if (!yes) {
        VfpUnlock(f);
        return FALSE;
    }
    VfpTimingFault(r, "spurious_interrupt", 1, __builtin_return_address(0), f);
    return TRUE;
}
