/* mm/pager.c - the pager: pageable pages (paged pool, .pagetext) live in a working set and
 * leave RAM for the backing store - a reserved physical region standing in for the paging
 * file, one slot per pageable page - when trimmed, under pressure, or over the limit. */
#include "mi.h"

#define MI_NOT_RESIDENT 0xFFFFFFFFu
static ULONG64 MipBackingPhysical;
static ULONG MipWsIndex[MI_PAGEABLE_PAGES];   /* pageable index -> working-set slot */
static ULONG MipWorkingSet[MI_PAGEABLE_PAGES]; /* working-set slot -> pageable index */
static UCHAR MipBackingValid[MI_PAGEABLE_PAGES];
static ULONG MipHand, MipWorkingSetLimit;
ULONG MiWorkingSetCount;
static ULONG64 MipPageIns, MipPageWrites, MipEvictions;
static USHORT MipLockCount[MI_PAGEABLE_PAGES];  /* MDL locks: a locked page is never evicted */

ULONG MiPageableIndex(ULONG64 Va)
{
    if (MiIsPagedPoolAddress(Va))
        return (ULONG)((Va - MI_PAGED_POOL_START) >> PAGE_SHIFT);
    if (MiIsPageTextAddress(Va))
        return MI_PAGED_POOL_PAGES + (ULONG)((Va - (ULONG64)__pagetext_start) >> PAGE_SHIFT);
    return MI_NOT_RESIDENT;
}

static ULONG64 MipPageableVa(ULONG Index)
{
    if (Index < MI_PAGED_POOL_PAGES)
        return MI_PAGED_POOL_START + ((ULONG64)Index << PAGE_SHIFT);
    return (ULONG64)__pagetext_start + ((ULONG64)(Index - MI_PAGED_POOL_PAGES) << PAGE_SHIFT);
}

static PVOID MipSlot(ULONG Index) { return HalPhysicalToVirtual(MipBackingPhysical + ((ULONG64)Index << PAGE_SHIFT)); }

static VOID MipWsRemove(ULONG Index)
{
    ULONG slot = MipWsIndex[Index];
    ULONG last = MipWorkingSet[--MiWorkingSetCount];
    MipWorkingSet[slot] = last;
    MipWsIndex[last] = slot;
    MipWsIndex[Index] = MI_NOT_RESIDENT;
}

/* Writes the page out only if it changed since the backing copy was made; code never does. */
static VOID MipEvict(ULONG Index)
{
    ULONG64 va = MipPageableVa(Index);
    PULONG64 pte = MiGetPte(va, FALSE);
    ULONG64 old = *pte;
    if (!MipBackingValid[Index] || (old & MI_PTE_D)) {
        RtlCopyMemory(MipSlot(Index), HalPhysicalToVirtual(old & MI_PFN_MASK), PAGE_SIZE);
        MipBackingValid[Index] = 1;
        MipPageWrites++;
    }
    *pte = MI_PTE_PAGED_OUT | (old & (MI_PTE_W | MI_PTE_NX));
    KiFlushSingleTb((PVOID)va); /* an eviction unmaps on every processor */
    MipWsRemove(Index);
    MiFreePhysicalPage(old & MI_PFN_MASK);
    MipEvictions++;
}

/* Keeps the working set within its limit, sparing the newest page (the one just touched). */
static VOID MipWsAdd(ULONG Index)
{
    MipWsIndex[Index] = MiWorkingSetCount;
    MipWorkingSet[MiWorkingSetCount++] = Index;
    if (MipWorkingSetLimit && MiWorkingSetCount > MipWorkingSetLimit) {
        for (ULONG tries = 0; tries + 1 < MiWorkingSetCount; tries++) {
            MipHand = (MipHand + 1) % (MiWorkingSetCount - 1);
            if (!MipLockCount[MipWorkingSet[MipHand]]) {
                MipEvict(MipWorkingSet[MipHand]);
                break;
            }
        }
    }
}

/* Under the lock. Evicts down to Keep resident pages. */
ULONG MiTrimWorkingSet(ULONG Keep)
{
    ULONG n = 0, slot = 0;
    while (MiWorkingSetCount > Keep && slot < MiWorkingSetCount) {
        if (MipLockCount[MipWorkingSet[slot]]) {
            slot++; /* pinned for I/O */
            continue;
        }
        MipEvict(MipWorkingSet[slot]); /* the last slot's page moves into this one */
        n++;
    }
    return n;
}

static VOID MipPageIn(ULONG Index)
{
    ULONG64 va = MipPageableVa(Index);
    PULONG64 pte = MiGetPte(va, FALSE);
    ULONG64 p = MiAllocatePhysicalPage();
    if (!p)
        KeBugCheckEx(0x7A /* KERNEL_DATA_INPAGE_ERROR */, (ULONG_PTR)pte, 0xC000009A, va, 0);
    RtlCopyMemory(HalPhysicalToVirtual(p), MipSlot(Index), PAGE_SIZE);
    *pte = p | MI_PTE_P | MI_PTE_A | (*pte & (MI_PTE_W | MI_PTE_NX));
    __invlpg((PVOID)va);
    MipPageIns++;
    MipWsAdd(Index);
}

/* Under the lock, at any IRQL: the pool touches its own paged headers this way, having
 * checked its caller's IRQL on entry. */
VOID MiMakeResident(ULONG64 Va)
{
    ULONG i = MiPageableIndex(Va);
    if (i != MI_NOT_RESIDENT && MipWsIndex[i] == MI_NOT_RESIDENT && (MiReadPte(Va) & MI_PTE_PAGED_OUT))
        MipPageIn(i);
}

/* The fault path, IRQL <= APC_LEVEL already checked. */
BOOLEAN MiResolvePagedOut(ULONG64 Va)
{
    KIRQL old = MiLock();
    ULONG i = MiPageableIndex(Va);
    BOOLEAN ok = i != MI_NOT_RESIDENT && (MiReadPte(Va) & MI_PTE_PAGED_OUT);
    if (ok)
        MipPageIn(i);
    MiUnlock(old);
    return ok;
}

/* IRQL: any. A fresh paged-pool page: resident, zeroed, no backing copy yet. */
BOOLEAN MiMakePagedPoolPage(ULONG64 Va)
{
    if (!MiMapNewPages(Va, 1, MI_PTE_W | MI_PTE_NX))
        return FALSE;
    RtlZeroMemory((PVOID)Va, PAGE_SIZE);
    KIRQL old = MiLock();
    ULONG i = MiPageableIndex(Va);
    MipBackingValid[i] = 0;
    MipWsAdd(i);
    MiUnlock(old);
    return TRUE;
}

VOID MiReleasePagedPoolPage(ULONG64 Va)
{
    KIRQL old = MiLock();
    ULONG i = MiPageableIndex(Va);
    if (MipWsIndex[i] != MI_NOT_RESIDENT)
        MipWsRemove(i);
    MipBackingValid[i] = 0;
    MipLockCount[i] = 0;
    MiUnmapAndFreePages(Va, 1, 0);
    MiUnlock(old);
}

/* IRQL <= DISPATCH_LEVEL; the page must be resident already above APC_LEVEL (MmProbeAndLockPages
 * touched it first). Pins the pageable page under Va for an MDL, so a DPC may move data into
 * its frame; a no-op for addresses that are not pageable. Nested locks count. */
VOID MmLockPageablePage(PVOID Va)
{
    KIRQL old = MiLock();
    ULONG i = MiPageableIndex((ULONG64)Va);
    if (i != MI_NOT_RESIDENT) {
        MiMakeResident((ULONG64)Va);
        MipLockCount[i]++;
    }
    MiUnlock(old);
}

/* IRQL <= DISPATCH_LEVEL. */
VOID MmUnlockPageablePage(PVOID Va)
{
    KIRQL old = MiLock();
    ULONG i = MiPageableIndex((ULONG64)Va);
    if (i != MI_NOT_RESIDENT && MipLockCount[i])
        MipLockCount[i]--;
    MiUnlock(old);
}

/* IRQL: any. */
ULONG MmTrimPagedPool(void)
{
    KIRQL old = MiLock();
    ULONG n = MiTrimWorkingSet(0);
    MiUnlock(old);
    return n;
}

/* Force IRQL checking: everything pageable leaves memory on each rise to DISPATCH_LEVEL,
 * so an illegal touch faults every time. One compare when nothing is resident. */
static VOID MipTrimOnRaise(void)
{
    if (MiWorkingSetCount)
        MmTrimPagedPool();
}

VOID MmQueryPagingStatistics(PMM_PAGING_STATISTICS S)
{
    S->PageIns = MipPageIns;
    S->PageWrites = MipPageWrites;
    S->Evictions = MipEvictions;
    S->ResidentPageable = MiWorkingSetCount;
    S->WorkingSetLimit = MipWorkingSetLimit;
    S->FreePhysicalPages = MiFreePhysicalPages;
    S->TotalPhysicalPages = MiTotalPhysicalPages;
}

/* Called once at boot after the kernel image has its 4 KiB mappings. Pageable code is the
 * image's own: each page's backing copy is made now, so it can be dropped at will. */
VOID MiInitializePager(ULONG64 BackingPhysical)
{
    ULONG textPages = (ULONG)((__pagetext_end - __pagetext_start) >> PAGE_SHIFT);
    MipBackingPhysical = BackingPhysical;
    if (textPages > MI_MAX_PAGETEXT_PAGES)
        KeBugCheckEx(0x7D /* INSTALL_MORE_MEMORY */, textPages, MI_MAX_PAGETEXT_PAGES, 0, 2);
    for (ULONG i = 0; i < MI_PAGEABLE_PAGES; i++)
        MipWsIndex[i] = MI_NOT_RESIDENT;
    MipWorkingSetLimit = (ULONG)KiGetBootOptionNumber("mmwslimit", 0);
    if (MipWorkingSetLimit == 1)
        MipWorkingSetLimit = 2; /* the newest page is always spared */
    KIRQL old = MiLock();
    for (ULONG t = 0; t < textPages; t++) {
        ULONG i = MI_PAGED_POOL_PAGES + t;
        RtlCopyMemory(MipSlot(i), (PVOID)MipPageableVa(i), PAGE_SIZE);
        MipBackingValid[i] = 1;
        MipWsAdd(i);
    }
    MiUnlock(old);
    if (KiVerifierOn(VERIFIER_FORCE_IRQL_TRIM) || KiBootOptionPresent("irqltrim"))
        KiDispatchRaiseHook = MipTrimOnRaise;
}
