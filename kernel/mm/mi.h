/* mm/mi.h - memory-manager internals shared by the kernel/mm files: PTE bits, the system
 * address-space layout, and the Mi routines for frames, mappings, pager and pools. */
#pragma once
#include "../ke/ki.h"
#include "../hal/hal.h"

/* Hardware PTE bits, plus three software bits (9-11) that say why a PTE is not present. */
#define MI_PTE_P 0x1ULL
#define MI_PTE_W 0x2ULL
#define MI_PTE_A 0x20ULL
#define MI_PTE_D 0x40ULL
#define MI_PTE_PS 0x80ULL
#define MI_PTE_GUARD (1ULL << 9)     /* no-access guard page (stack or special pool) */
#define MI_PTE_PAGED_OUT (1ULL << 10) /* pageable page whose contents are in the backing store */
#define MI_PTE_FREED (1ULL << 11)     /* freed page (special pool, discarded INIT code): any touch is use after free */
#define MI_PTE_NX (1ULL << 63)
#define MI_PFN_MASK 0x000FFFFFFFFFF000ULL
#define MI_PAGE_MASK (PAGE_SIZE - 1)

/* The system address space: one PML4 slot (0xFFFFA000'00000000), carved into regions. */
#define MI_SYSTEM_BASE 0xFFFFA00000000000ULL
#define MI_NONPAGED_POOL_START MI_SYSTEM_BASE
#define MI_NONPAGED_POOL_PAGES (64 * 1024) /* 256 MiB of VA */
#define MI_PAGED_POOL_START (MI_SYSTEM_BASE + (1ULL << 30))
#define MI_PAGED_POOL_PAGES 4096 /* 16 MiB: one backing-store slot per page */
#define MI_SYSTEM_PTE_START (MI_SYSTEM_BASE + (2ULL << 30)) /* kernel stacks */
#define MI_SYSTEM_PTE_PAGES (16 * 1024)
#define MI_SPECIAL_POOL_START (MI_SYSTEM_BASE + (3ULL << 30))
#define MI_SPECIAL_POOL_PAGES (64 * 1024)
#define MI_MAX_PAGETEXT_PAGES 512
#define MI_PAGEABLE_PAGES (MI_PAGED_POOL_PAGES + MI_MAX_PAGETEXT_PAGES)

FORCEINLINE BOOLEAN MiInRange(ULONG64 Va, ULONG64 Start, ULONG64 Pages)
{
    return Va >= Start && Va < Start + Pages * PAGE_SIZE;
}
#define MiIsPagedPoolAddress(va) MiInRange((ULONG64)(va), MI_PAGED_POOL_START, MI_PAGED_POOL_PAGES)
#define MiIsNonPagedPoolAddress(va) MiInRange((ULONG64)(va), MI_NONPAGED_POOL_START, MI_NONPAGED_POOL_PAGES)
#define MiIsSpecialPoolAddress(va) MiInRange((ULONG64)(va), MI_SPECIAL_POOL_START, MI_SPECIAL_POOL_PAGES)
FORCEINLINE BOOLEAN MiIsPageTextAddress(ULONG64 Va)
{
    return Va >= (ULONG64)__pagetext_start && Va < (ULONG64)__pagetext_end;
}

/* The memory manager's lock: a queued spin lock held at HIGH_LEVEL, CR8 set directly
 * (KfRaiseIrql would run the trim hook). It nests on the processor that holds it (a page
 * fault under it pages in under it). */
FORCEINLINE KIRQL MiLock(void)
{
    KIRQL old = KiRaiseIrqlRaw(HIGH_LEVEL);
    KiAcquireQueuedLock(KI_MM_LOCK);
    return old;
}
FORCEINLINE VOID MiUnlock(KIRQL Old)
{
    KiReleaseQueuedLock(KI_MM_LOCK);
    KiLowerIrqlRaw(Old);
}

/* Physical frames (pfn.c). */
VOID MiInitializePhysical(ULONG64 BackingBase, ULONG64 BackingBytes);
ULONG64 MiAllocatePhysicalPage(void); /* 0 when none even after trimming */
VOID MiFreePhysicalPage(ULONG64 Physical);
extern ULONG64 MiFreePhysicalPages, MiTotalPhysicalPages;

/* Page tables and virtual ranges (map.c). */
typedef struct _MI_VA_REGION {
    ULONG64 Base;
    ULONG Pages;
    ULONG Hint;
    PUCHAR Bitmap;
} MI_VA_REGION;
extern MI_VA_REGION MiNonPagedPoolVa, MiPagedPoolVa, MiSystemPteVa;
PULONG64 MiGetPte(ULONG64 Va, BOOLEAN Create); /* NULL: no 4 KiB PTE for Va */
ULONG64 MiReadPte(ULONG64 Va);                 /* 0 when unmapped at any level */
VOID MiWritePte(ULONG64 Va, ULONG64 Pte);      /* and invalidates the TLB entry */
ULONG64 MiAllocateVa(MI_VA_REGION *Region, ULONG Pages);
VOID MiFreeVa(MI_VA_REGION *Region, ULONG64 Va, ULONG Pages);
BOOLEAN MiMapNewPages(ULONG64 Va, ULONG Pages, ULONG64 Protection);
VOID MiUnmapAndFreePages(ULONG64 Va, ULONG Pages, ULONG64 LeaveBehind);
VOID MiProtectKernelImage(void);
extern char KiBootStack[], KiBootStackGuard[];

/* Pager (pager.c): pageable pages are paged pool and .pagetext. */
VOID MiInitializePager(ULONG64 BackingPhysical);
ULONG MiPageableIndex(ULONG64 Va);     /* ~0u if not pageable */
BOOLEAN MiMakePagedPoolPage(ULONG64 Va); /* fresh resident zeroed page */
VOID MiReleasePagedPoolPage(ULONG64 Va);
VOID MiMakeResident(ULONG64 Va);       /* under the lock, any IRQL: pages in if needed */
BOOLEAN MiResolvePagedOut(ULONG64 Va);  /* fault path: TRUE if Va was paged out and now is in */
ULONG MiTrimWorkingSet(ULONG Keep);    /* under the lock; returns pages evicted */
extern ULONG MiWorkingSetCount;

/* Pools (pool.c, special.c, tags.c, driver.c). */
VOID MiInitializePools(void);
BOOLEAN MiUseSpecialPool(ULONG Tag);
PVOID MiAllocateSpecialPool(ULONG PoolType, SIZE_T Bytes, ULONG Tag, UCHAR Owner);
VOID MiFreeSpecialPool(PVOID P, ULONG Tag);
VOID MiTagAllocate(ULONG Tag, ULONG PoolType, UCHAR Owner, SIZE_T Bytes);
VOID MiTagFree(ULONG Tag, ULONG PoolType, UCHAR Owner, SIZE_T Bytes);
UCHAR MiDriverSlotOf(ULONG64 Address); /* registry slot + 1, or 0 */
PCSTR MiDriverName(UCHAR Slot);
DECLSPEC_NORETURN VOID MiBadIrqlFault(PKTRAP_FRAME TrapFrame, ULONG64 Address, KIRQL Irql, ULONG Access);
