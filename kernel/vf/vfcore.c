/* kernel/vf/vfcore.c - the decision an armed injection site asks for: filters, grace period,
 * fail-the-Nth / every-Nth / seeded probability, the FAULT line and the per-site summary. */
#include "vfp.h"

volatile ULONG VfArmedSites;
VF_RULE VfpRules[VF_MAX_RULES];
ULONG VfpRuleCount;
static KSPIN_LOCK VfpSpin;
static ULONG64 VfpSeq, VfpArmTime;
static ULONG64 VfpCalls[VfSiteCount], VfpFaults[VfSiteCount];

const PCSTR VfClassNames[VfClassCount] = { "lowres", "pending", "disk", "powercut", "cancel", "delay" };
const PCSTR VfSiteNames[VfSiteCount] = { "pool", "irp", "mdl", "workitem", "fsdreq", "completionex",
                                         "device", "call", "read", "write", "timing", "write", "irp", "worker", "dpc" };
const UCHAR VfSiteClass[VfSiteCount] = { VfClassLowRes, VfClassLowRes, VfClassLowRes, VfClassLowRes,
                                         VfClassLowRes, VfClassLowRes, VfClassLowRes, VfClassPending,
                                         VfClassDisk,   VfClassDisk,   VfClassDisk,   VfClassPowerCut,
                                         VfClassCancel, VfClassDelay,  VfClassDelay };

/* Sites run in DPCs and with spin locks held, so the table is guarded with interrupts off. */
ULONG64 VfpLock(void)
{
    return KiAcquireSpinLockInterruptsOff(&VfpSpin);
}
VOID VfpUnlock(ULONG64 Flags)
{
    KiReleaseSpinLockInterruptsOff(&VfpSpin, Flags);
}

/* splitmix64: one stream per rule, advanced only by calls the rule matches, so the same
 * options and seed draw the same numbers at the same calls. */
ULONG64 VfpRandom(VF_RULE *Rule)
{
    ULONG64 z = (Rule->Rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Verifier fails only the verified drivers' requests; here, by default, the three drivers. */
static BOOLEAN VfpCallerInScope(VF_RULE *Rule, PVOID Caller)
{
    static const PCSTR defaults[] = { "Fat", "Flt", "Rd" };
    ULONG64 off;
    if (strcmp(Rule->Driver, "all") == 0 || (!Rule->Driver[0] && Rule->Class != VfClassLowRes))
        return TRUE;
    PCSTR sym = KiLookupSymbol((ULONG64)Caller, &off);
    if (!sym)
        return FALSE;
    if (Rule->Driver[0])
        return strncmp(sym, Rule->Driver, strlen(Rule->Driver)) == 0;
    for (ULONG i = 0; i < ARRAYSIZE(defaults); i++)
        if (strncmp(sym, defaults[i], strlen(defaults[i])) == 0)
            return TRUE;
    return FALSE;
}

static BOOLEAN VfpFilters(VF_RULE *Rule, VF_SITE Site, ULONG64 Key, PVOID Caller)
{
    if (Site == VfSitePool) {
        if (Rule->Tag && (ULONG)Key != Rule->Tag)
            return FALSE;
        if (Rule->PoolType && ((Key >> 32) ? 2 : 1) != Rule->PoolType)
            return FALSE;
    }
    if ((Site == VfSitePending || Site == VfSiteCancel) && Rule->Major != 0xFF && Key != Rule->Major)
        return FALSE;
    if (Site == VfSiteDiskRead || Site == VfSiteDiskWrite) {
        ULONG64 lo = VF_DISK_SECTOR(Key), n = VF_DISK_COUNT(Key), hi = lo + (n ? n - 1 : 0);
        if (hi < Rule->SectorLo || lo > Rule->SectorHi)
            return FALSE;
    }
    if (Site == VfSiteDiskTiming || Site == VfSitePowerCut || Site == VfSiteDiskRead || Site == VfSiteDiskWrite)
        return TRUE;
    return VfpCallerInScope(Rule, Caller);
}

VF_RULE *VfpHit(VF_SITE Site, ULONG64 Key, PVOID Caller, PULONG64 Seq, PULONG64 Call)
{
    VfpCalls[Site]++;
    for (ULONG i = 0; i < VfpRuleCount; i++) {
        VF_RULE *r = &VfpRules[i];
        if (!(r->Sites & (1u << Site)) || !VfpFilters(r, Site, Key, Caller))
            continue;
        ULONG64 n = ++r->Matched;
        BOOLEAN hit;
        if (n <= r->After || (r->AfterMs && KeQueryInterruptTime() - VfpArmTime < r->AfterMs * 10000))
            continue;
        if (r->Times && r->Faults >= r->Times)
            continue;
        if (r->HasNth)
            hit = n == r->Nth;
        else if (r->HasInterval)
            hit = r->Interval && (n - r->After) % r->Interval == 0;
        else if (r->HasProb)
            hit = VfpRandom(r) % 1000000 < r->ProbPpm;
        else
            hit = TRUE; /* only filters given (a tag, a sector range): every match, up to times= */
        if (!hit)
            continue;
        r->Faults++;
        VfpFaults[Site]++;
        *Seq = ++VfpSeq;
        *Call = n;
        return r;
    }
    return NULL;
}

ULONG64 VfpNextSeq(VF_SITE Site)
{
    VfpFaults[Site]++;
    return ++VfpSeq;
}
VOID VfpCountCall(VF_SITE Site) { VfpCalls[Site]++; }

VOID VfpPrintFault(ULONG64 Seq, VF_SITE Site, PVOID Caller, PCSTR Detail)
{
    ULONG64 off = 0;
    PCSTR sym = Caller ? KiLookupSymbol((ULONG64)Caller, &off) : NULL;
    DbgPrint("FAULT %llu %s %s caller=%s+0x%llx %s\n", Seq, VfClassNames[VfSiteClass[Site]], VfSiteNames[Site],
             sym ? sym : "?", off, Detail);
}

/* IRQL: any. */
BOOLEAN VfpDecide(VF_SITE Site, ULONG64 Key, PVOID Caller)
{
    ULONG64 seq = 0, call = 0;
    ULONG64 f = VfpLock();
    VF_RULE *r = VfpHit(Site, Key, Caller, &seq, &call);
    VfpUnlock(f);
    if (!r)
        return FALSE;
    CHAR detail[96];
    if (Site == VfSitePool) {
        ULONG t = (ULONG)Key;
        RtlStringCbPrintfA(detail, sizeof(detail), "tag=%c%c%c%c pool=%s call=%llu", (CHAR)t, (CHAR)(t >> 8),
                           (CHAR)(t >> 16), (CHAR)(t >> 24), (Key >> 32) ? "paged" : "nonpaged", call);
    } else if (Site == VfSitePending) {
        RtlStringCbPrintfA(detail, sizeof(detail), "major=0x%llx call=%llu", Key, call);
    } else {
        RtlStringCbPrintfA(detail, sizeof(detail), "call=%llu", call);
    }
    VfpPrintFault(seq, Site, Caller, detail);
    return TRUE;
}

/* IRQL: PASSIVE_LEVEL. */
NTSTATUS VfConfigure(PCSTR Spec)
{
    VfReset();
    NTSTATUS st = VfpParse(Spec);
    if (!NT_SUCCESS(st)) {
        VfReset();
        return st;
    }
    ULONG sites = 0;
    for (ULONG i = 0; i < VfpRuleCount; i++)
        sites |= VfpRules[i].Sites;
    VfpArmTime = KeQueryInterruptTime();
    __atomic_store_n(&VfArmedSites, sites, __ATOMIC_SEQ_CST);
    return STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL. */
VOID VfReset(void)
{
    __atomic_store_n(&VfArmedSites, 0, __ATOMIC_SEQ_CST);
    ULONG64 f = VfpLock();
    RtlZeroMemory(VfpRules, sizeof(VfpRules));
    RtlZeroMemory(VfpCalls, sizeof(VfpCalls));
    RtlZeroMemory(VfpFaults, sizeof(VfpFaults));
    VfpRuleCount = 0;
    VfpSeq = 0;
    VfpUnlock(f);
}

/* IRQL: any. */
VOID VfQuerySite(VF_SITE Site, PULONG64 Calls, PULONG64 Faults)
{
    ULONG64 f = VfpLock();
    *Calls = VfpCalls[Site];
    *Faults = VfpFaults[Site];
    VfpUnlock(f);
}

ULONG64 VfFaultCount(void) { return VfpSeq; }

/* IRQL: any. A systematic campaign reads how many Nth values to walk from VF-RULE matched=. */
VOID VfPrintSummary(void)
{
    for (ULONG s = 0; s < VfSiteCount; s++)
        if ((VfArmedSites & (1u << s)) || VfpCalls[s])
            DbgPrint("VF-SITE %s %s calls=%llu faults=%llu\n", VfClassNames[VfSiteClass[s]], VfSiteNames[s],
                     VfpCalls[s], VfpFaults[s]);
    for (ULONG i = 0; i < VfpRuleCount; i++)
        DbgPrint("VF-RULE %u %s matched=%llu faults=%llu\n", i, VfClassNames[VfpRules[i].Class], VfpRules[i].Matched,
                 VfpRules[i].Faults);
    DbgPrint("VF-TOTAL faults=%llu\n", VfpSeq);
}
