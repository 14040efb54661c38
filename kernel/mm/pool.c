/* mm/pool.c - the executive pools: size-class free lists of 16-byte-headed blocks in 4 KiB
 * pages, page-granular blocks above 2 KiB; nonpaged pool is resident, paged pool pageable.
 * Every header is checked on free; IRQL, double free and wrong tag are the caller's bugs. */
#include "mi.h"
#include <irqlab/vf.h>

#define MI_BUSY 0xA1
#define MI_FREE 0xF7
#define MI_LARGE 0xFF
typedef struct _POOL_HEADER {
    ULONG Tag;
    ULONG Size;     /* bytes the caller asked for */
    UCHAR Class;    /* size class, or MI_LARGE */
    UCHAR PoolType; /* 0 nonpaged, 1 paged */
    UCHAR State;
    UCHAR Owner;    /* driver registry slot + 1 */
    ULONG Check;    /* depends on the header's address and fields: damage shows */
} POOL_HEADER;
_Static_assert(sizeof(POOL_HEADER) == 16, "pool header");

static const USHORT MipClassSize[] = { 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048 };
#define MI_CLASSES ARRAYSIZE(MipClassSize)
static POOL_HEADER *MipFreeList[2][MI_CLASSES];

static ULONG MipCheck(const POOL_HEADER *h)
{
    ULONG x = 0x9E3779B9u ^ (ULONG)((ULONG64)h >> 4);
    x = (x ^ h->Tag) * 0x01000193u;
    x = (x ^ h->Size) * 0x01000193u;
    return x ^ ((ULONG)h->Class | (ULONG)h->PoolType << 8 | (ULONG)h->State << 16 | (ULONG)h->Owner << 24);
}

static VOID MipSeal(POOL_HEADER *h) { h->Check = MipCheck(h); }

static BOOLEAN MipHeaderOk(const POOL_HEADER *h, ULONG PoolType)
{
    return h->Check == MipCheck(h) && h->PoolType == PoolType && (h->State == MI_BUSY || h->State == MI_FREE) &&
           (h->Class < MI_CLASSES || h->Class == MI_LARGE);
}

static VOID MipTouch(ULONG PoolType, PVOID Va)
{
    if (PoolType == PagedPool)
        MiMakeResident((ULONG64)Va);
}

/* Lock held. A new page for a size class, carved so the lowest block is handed out first. */
static BOOLEAN MipRefill(ULONG PoolType, ULONG Class)
{
    MI_VA_REGION *r = PoolType == PagedPool ? &MiPagedPoolVa : &MiNonPagedPoolVa;
    ULONG64 va = MiAllocateVa(r, 1);
    if (!va)
        return FALSE;
    if (PoolType == PagedPool ? !MiMakePagedPoolPage(va) : !MiMapNewPages(va, 1, MI_PTE_W | MI_PTE_NX)) {
        MiFreeVa(r, va, 1);
        return FALSE;
    }
    MipTouch(PoolType, (PVOID)va);
    ULONG size = MipClassSize[Class], n = PAGE_SIZE / size;
    for (ULONG i = n; i-- > 0;) {
        POOL_HEADER *h = (POOL_HEADER *)(va + (ULONG64)i * size);
        h->Class = (UCHAR)Class;
        h->PoolType = (UCHAR)PoolType;
        h->State = MI_FREE;
        h->Tag = 0;
        h->Size = 0;
        h->Owner = 0;
        MipSeal(h);
        *(POOL_HEADER **)(h + 1) = MipFreeList[PoolType][Class];
        MipFreeList[PoolType][Class] = h;
    }
    return TRUE;
}

static POOL_HEADER *MipAllocateSmall(ULONG PoolType, ULONG Class)
{
    if (!MipFreeList[PoolType][Class] && !MipRefill(PoolType, Class))
        return NULL;
    POOL_HEADER *h = MipFreeList[PoolType][Class];
    MipTouch(PoolType, h);
    if (!MipHeaderOk(h, PoolType) || h->State != MI_FREE)
        KeBugCheckEx(BAD_POOL_HEADER, 0x0D, (ULONG_PTR)h, *(PULONG64)h, 0); /* freed block modified */
    MipFreeList[PoolType][Class] = *(POOL_HEADER **)(h + 1);
    return h;
}

static POOL_HEADER *MipAllocateLarge(ULONG PoolType, SIZE_T Bytes)
{
    MI_VA_REGION *r = PoolType == PagedPool ? &MiPagedPoolVa : &MiNonPagedPoolVa;
    ULONG pages = (ULONG)BYTES_TO_PAGES(Bytes + sizeof(POOL_HEADER));
    ULONG64 va = MiAllocateVa(r, pages);
    if (!va)
        return NULL;
    for (ULONG i = 0; i < pages; i++) {
        ULONG64 pva = va + (ULONG64)i * PAGE_SIZE;
        if (PoolType == PagedPool ? !MiMakePagedPoolPage(pva) : !MiMapNewPages(pva, 1, MI_PTE_W | MI_PTE_NX)) {
            while (i-- > 0) {
                pva = va + (ULONG64)i * PAGE_SIZE;
                if (PoolType == PagedPool)
                    MiReleasePagedPoolPage(pva);
                else
                    MiUnmapAndFreePages(pva, 1, 0);
            }
            MiFreeVa(r, va, pages);
            return NULL;
        }
    }
    POOL_HEADER *h = (POOL_HEADER *)va;
    MipTouch(PoolType, h);
    h->Class = MI_LARGE;
    h->PoolType = (UCHAR)PoolType;
    return h;
}

static PVOID MipAllocate(ULONG PoolType, SIZE_T Bytes, ULONG Tag, BOOLEAN Zero, PVOID Caller)
{
    KIRQL irql = KeGetCurrentIrql();
    if (irql > (PoolType == PagedPool ? APC_LEVEL : DISPATCH_LEVEL))
        KeBugCheckEx(BAD_POOL_CALLER, 8, irql, PoolType, Bytes);
    if (Bytes == 0 && KiVerifierOn(VERIFIER_POOL_TRACKING))
        KeBugCheckEx(BUGPARAMS_C4_ZERO_BYTE_POOL(irql, PoolType));
    if (Bytes > (ULONG64)MI_NONPAGED_POOL_PAGES * PAGE_SIZE / 2)
        return NULL;
    if (VfShouldFail(VfSitePool, Tag | ((ULONG64)(PoolType == PagedPool) << 32), Caller))
        return NULL; /* Low Resources Simulation (kernel/vf) */
    UCHAR owner = MiDriverSlotOf((ULONG64)Caller);
    if (MiUseSpecialPool(Tag) && Bytes && Bytes <= PAGE_SIZE - 64) {
        PVOID p = MiAllocateSpecialPool(PoolType, Bytes, Tag, owner);
        if (p)
            return p;
    }
    ULONG cls = 0;
    while (cls < MI_CLASSES && MipClassSize[cls] < Bytes + sizeof(POOL_HEADER))
        cls++;
    KIRQL old = MiLock();
    POOL_HEADER *h = cls < MI_CLASSES ? MipAllocateSmall(PoolType, cls) : MipAllocateLarge(PoolType, Bytes);
    if (h) {
        h->Tag = Tag;
        h->Size = (ULONG)Bytes;
        h->State = MI_BUSY;
        h->Owner = owner;
        MipSeal(h);
        /* A small block lies in the page just made resident; large paged blocks are fresh
         * pages, zeroed when made. */
        if (Zero && !(PoolType == PagedPool && h->Class == MI_LARGE))
            RtlZeroMemory(h + 1, Bytes);
        MiTagAllocate(Tag, PoolType, owner, Bytes);
    }
    MiUnlock(old);
    return h ? h + 1 : NULL;
}

/* IRQL: <= DISPATCH_LEVEL (nonpaged), <= APC_LEVEL (paged); else BAD_POOL_CALLER 8. */
PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return MipAllocate((PoolType & 1) ? PagedPool : NonPagedPool, NumberOfBytes, Tag, FALSE,
                       __builtin_return_address(0));
}

PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    return MipAllocate((PoolType & 1) ? PagedPool : NonPagedPool, NumberOfBytes, 'enoN', FALSE,
                       __builtin_return_address(0));
}

/* IRQL: as ExAllocatePoolWithTag. Zeroed unless POOL_FLAG_UNINITIALIZED; exactly one of
 * the NON_PAGED, NON_PAGED_EXECUTE and PAGED flags. */
PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    POOL_FLAGS kind = Flags & (POOL_FLAG_NON_PAGED | POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_PAGED);
    if (kind != POOL_FLAG_NON_PAGED && kind != POOL_FLAG_NON_PAGED_EXECUTE && kind != POOL_FLAG_PAGED)
        return NULL;
    return MipAllocate(kind == POOL_FLAG_PAGED ? PagedPool : NonPagedPool, NumberOfBytes, Tag,
                       !(Flags & POOL_FLAG_UNINITIALIZED), __builtin_return_address(0));
}

/* Lock held, header resident and valid. The following block's header in the same page
 * must be intact too: an overrun shows there first. */
static VOID MipCheckNeighbour(POOL_HEADER *h)
{
    if (h->Class == MI_LARGE)
        return;
    POOL_HEADER *next = (POOL_HEADER *)((PUCHAR)h + MipClassSize[h->Class]);
    if (((ULONG64)next & ~MI_PAGE_MASK) == ((ULONG64)h & ~MI_PAGE_MASK) &&
        ((ULONG64)next & MI_PAGE_MASK) + MipClassSize[h->Class] <= PAGE_SIZE && !MipHeaderOk(next, h->PoolType))
        KeBugCheckEx(BAD_POOL_HEADER, 0x20, (ULONG_PTR)h, (ULONG_PTR)next, 0);
}

/* IRQL: <= DISPATCH_LEVEL (nonpaged), <= APC_LEVEL (paged), else BAD_POOL_CALLER 9. A
 * damaged header is BAD_POOL_HEADER, a second free BAD_POOL_CALLER 7, a tag other than the
 * allocation's BAD_POOL_CALLER 0x0A. */
VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    KIRQL irql = KeGetCurrentIrql();
    ULONG type;
    if (MiIsSpecialPoolAddress(P)) {
        MiFreeSpecialPool(P, Tag);
        return;
    }
    if (MiIsNonPagedPoolAddress(P))
        type = NonPagedPool;
    else if (MiIsPagedPoolAddress(P))
        type = PagedPool;
    else
        KeBugCheckEx(BAD_POOL_CALLER, 0x46, (ULONG_PTR)P, 0, 0);
    if (irql > (type == PagedPool ? APC_LEVEL : DISPATCH_LEVEL))
        KeBugCheckEx(BAD_POOL_CALLER, 9, irql, type, (ULONG_PTR)P);
    POOL_HEADER *h = (POOL_HEADER *)P - 1;
    if (((ULONG64)P & 15) || (!MmIsAddressValid(h) && !(MiReadPte((ULONG64)h) & MI_PTE_PAGED_OUT)))
        KeBugCheckEx(BAD_POOL_CALLER, 0x46, (ULONG_PTR)P, 0, 0);
    KIRQL old = MiLock();
    MipTouch(type, h);
    if (!MipHeaderOk(h, type))
        KeBugCheckEx(BAD_POOL_HEADER, 0x20, (ULONG_PTR)h,
                     h->Class < MI_CLASSES ? (ULONG_PTR)h + MipClassSize[h->Class] : 0, 0);
    if (h->State == MI_FREE)
        KeBugCheckEx(BAD_POOL_CALLER, 7, 0, *(PULONG64)h, (ULONG_PTR)P);
    if (Tag && Tag != h->Tag)
        KeBugCheckEx(BAD_POOL_CALLER, 0x0A, (ULONG_PTR)P, h->Tag, Tag);
    MipCheckNeighbour(h);
    SIZE_T size = h->Size;
    MiTagFree(h->Tag, type, h->Owner, h->Size);
    if (h->Class == MI_LARGE) {
        ULONG pages = (ULONG)BYTES_TO_PAGES(h->Size + sizeof(POOL_HEADER));
        for (ULONG i = 0; i < pages; i++) {
            ULONG64 va = (ULONG64)h + (ULONG64)i * PAGE_SIZE;
            if (type == PagedPool)
                MiReleasePagedPoolPage(va);
            else
                MiUnmapAndFreePages(va, 1, 0);
        }
        MiFreeVa(type == PagedPool ? &MiPagedPoolVa : &MiNonPagedPoolVa, (ULONG64)h, pages);
    } else {
        h->State = MI_FREE;
        MipSeal(h);
        *(POOL_HEADER **)(h + 1) = MipFreeList[type][h->Class];
        MipFreeList[type][h->Class] = h;
    }
    MiUnlock(old);
    if (KiDeadlockOn()) /* Verifier's deadlock detection forgets the locks that lived here */
        VfDeadlockDeleteRange(P, size);
}

VOID ExFreePool(PVOID P) { ExFreePoolWithTag(P, 0); }

/* IRQL: any. */
BOOLEAN MmIsAddressValid(PVOID VirtualAddress)
{
    return (MiReadPte((ULONG64)VirtualAddress) & MI_PTE_P) != 0;
}
