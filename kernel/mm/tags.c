/* mm/tags.c - pool tracking: counts and bytes per (tag, pool type, owning driver), the pool
 * report, and the leak check the I/O manager runs when a driver unloads. */
#include "mi.h"

#define MI_TAG_ENTRIES 512
typedef struct _MI_TAG_ENTRY {
    ULONG Tag;
    UCHAR PoolType;
    UCHAR Owner;
    BOOLEAN Used;
    ULONG64 Allocations, Frees, Bytes;
} MI_TAG_ENTRY;
static MI_TAG_ENTRY MipTags[MI_TAG_ENTRIES];
UCHAR MiDriverSlotByName(PCSTR Name);

/* Lock held. Open addressing; a full table folds the rest into the last probed entry. */
static MI_TAG_ENTRY *MipEntry(ULONG Tag, ULONG PoolType, UCHAR Owner)
{
    ULONG h = ((Tag * 0x9E3779B1u) ^ (PoolType << 7) ^ Owner) % MI_TAG_ENTRIES;
    MI_TAG_ENTRY *e = NULL;
    for (ULONG i = 0; i < MI_TAG_ENTRIES; i++) {
        e = &MipTags[(h + i) % MI_TAG_ENTRIES];
        if (!e->Used) {
            e->Used = TRUE;
            e->Tag = Tag;
            e->PoolType = (UCHAR)PoolType;
            e->Owner = Owner;
            return e;
        }
        if (e->Tag == Tag && e->PoolType == PoolType && e->Owner == Owner)
            return e;
    }
    return e;
}

VOID MiTagAllocate(ULONG Tag, ULONG PoolType, UCHAR Owner, SIZE_T Bytes)
{
    MI_TAG_ENTRY *e = MipEntry(Tag, PoolType, Owner);
    e->Allocations++;
    e->Bytes += Bytes;
}

VOID MiTagFree(ULONG Tag, ULONG PoolType, UCHAR Owner, SIZE_T Bytes)
{
    MI_TAG_ENTRY *e = MipEntry(Tag, PoolType, Owner);
    e->Frees++;
    e->Bytes -= Bytes;
}

static VOID MipTagText(ULONG Tag, PCHAR Out)
{
    for (ULONG i = 0; i < 4; i++) {
        CHAR c = (CHAR)(Tag >> (8 * i));
        Out[i] = (c >= 0x20 && c < 0x7F) ? c : '.';
    }
    Out[4] = 0;
}

static VOID MipPrintEntry(const MI_TAG_ENTRY *e)
{
    CHAR t[5];
    MipTagText(e->Tag, t);
    DbgPrint("  %s  %s %8llu %8llu %8llu %10llu  %s\n", t, e->PoolType == PagedPool ? "Paged" : "Nonp ",
             e->Allocations, e->Frees, e->Allocations - e->Frees, e->Bytes,
             e->Owner ? MiDriverName(e->Owner) : "(kernel)");
}

/* IRQL: any. Entries are read without the lock: a report, not a snapshot. */
VOID ExDumpPoolUsage(void)
{
    MM_PAGING_STATISTICS s;
    MmQueryPagingStatistics(&s);
    DbgPrint("Pool usage:\n  Tag   Type    Allocs    Frees    Outst      Bytes  Driver\n");
    for (ULONG i = 0; i < MI_TAG_ENTRIES; i++)
        if (MipTags[i].Used)
            MipPrintEntry(&MipTags[i]);
    DbgPrint("  pageable resident %u, page-ins %llu, page writes %llu, free frames %llu of %llu\n",
             s.ResidentPageable, s.PageIns, s.PageWrites, s.FreePhysicalPages, s.TotalPhysicalPages);
}

VOID ExQueryPoolTagUsage(ULONG Tag, ULONG PoolType, POOL_TAG_USAGE *U)
{
    RtlZeroMemory(U, sizeof(*U));
    for (ULONG i = 0; i < MI_TAG_ENTRIES; i++) {
        MI_TAG_ENTRY *e = &MipTags[i];
        if (e->Used && e->Tag == Tag && (PoolType == ~0u || e->PoolType == PoolType)) {
            U->Allocations += e->Allocations;
            U->Frees += e->Frees;
            U->Outstanding += e->Allocations - e->Frees;
            U->Bytes += e->Bytes;
        }
    }
}

/* IRQL: PASSIVE_LEVEL. See wdm/mm.h. */
ULONG MmVerifyDriverUnload(PCSTR DriverName, const ULONG *Tags, ULONG TagCount)
{
    UCHAR owner = DriverName ? MiDriverSlotByName(DriverName) : 0;
    ULONG64 outstanding = 0;
    ULONG leakedTag = 0;
    for (ULONG i = 0; i < MI_TAG_ENTRIES; i++) {
        MI_TAG_ENTRY *e = &MipTags[i];
        BOOLEAN mine = e->Used && owner && e->Owner == owner;
        for (ULONG t = 0; e->Used && !mine && t < TagCount; t++)
            mine = e->Tag == Tags[t];
        if (mine && e->Allocations != e->Frees) {
            if (!outstanding)
                DbgPrint("Pool leaks of %s at unload:\n", DriverName ? DriverName : "?");
            MipPrintEntry(e);
            outstanding += e->Allocations - e->Frees;
            leakedTag = e->Tag;
        }
    }
    if (outstanding && KiVerifierOn(VERIFIER_POOL_TRACKING)) {
        KiSetBugCheckCulprit(DriverName, NULL);
        KeBugCheckEx(BUGPARAMS_C4_POOL_LEAK_AT_UNLOAD(DriverName, leakedTag, outstanding));
    }
    return (ULONG)outstanding;
}

static VOID MipBugCheckSummary(void)
{
    ULONG64 np = 0, pg = 0;
    MM_PAGING_STATISTICS s;
    MmQueryPagingStatistics(&s);
    for (ULONG i = 0; i < MI_TAG_ENTRIES; i++)
        if (MipTags[i].Used)
            *(MipTags[i].PoolType == PagedPool ? &pg : &np) += MipTags[i].Bytes;
    DbgPrint("Pools: nonpaged %llu bytes, paged %llu bytes; pageable resident %u, page-ins %llu\n", np, pg,
             s.ResidentPageable, s.PageIns);
}

VOID MiInitializePools(void)
{
    VOID MiInitializeSpecialPool(void);
    MiInitializeSpecialPool();
    KiRegisterBugCheckReport(MipBugCheckSummary);
}
