/* mm/pool.c - the executive pools (early version): first-fit blocks with a tagged header
 * carved from one physically contiguous region. Paged requests are served from the same
 * region until the pager exists. */
#include "../ke/ki.h"
#include "../hal/hal.h"

#define POOL_MAGIC 0x4C4F4F50u /* "POOL" */
typedef struct _POOL_HEADER {
    ULONG Magic;
    ULONG Tag;
    ULONG64 Size; /* whole block including this header */
    struct _POOL_HEADER *NextFree;
    ULONG PoolType;
    ULONG Free;
} POOL_HEADER;

static POOL_HEADER *MipFreeList;
static ULONG64 MipPoolBase, MipPoolSize;

/* Called once by MmInitSystem with a region from the memory map. */
VOID MiInitializePool(ULONG64 PhysicalBase, ULONG64 Size)
{
    MipPoolBase = (ULONG64)HalPhysicalToVirtual(PhysicalBase);
    MipPoolSize = Size;
    MipFreeList = (POOL_HEADER *)MipPoolBase;
    MipFreeList->Magic = POOL_MAGIC;
    MipFreeList->Size = Size;
    MipFreeList->NextFree = NULL;
    MipFreeList->Free = 1;
}

static PVOID MipAllocate(ULONG PoolType, SIZE_T Bytes, ULONG Tag, BOOLEAN Zero)
{
    KIRQL irql = KeGetCurrentIrql();
    ULONG64 need = (sizeof(POOL_HEADER) + Bytes + 15) & ~15ULL;
    if (irql > (PoolType == PagedPool ? APC_LEVEL : DISPATCH_LEVEL))
        KeBugCheckEx(BAD_POOL_CALLER, 8, irql, PoolType, Tag);
    if (Bytes == 0 || Bytes > MipPoolSize)
        return NULL;
    KIRQL old = KiRaiseIrqlRaw(HIGH_LEVEL);
    POOL_HEADER **link = &MipFreeList, *h;
    for (h = *link; h && h->Size < need; link = &h->NextFree, h = *link)
        ;
    if (h) {
        if (h->Size >= need + sizeof(POOL_HEADER) + 16) {
            POOL_HEADER *rest = (POOL_HEADER *)((PUCHAR)h + need);
            rest->Magic = POOL_MAGIC;
            rest->Size = h->Size - need;
            rest->NextFree = h->NextFree;
            rest->Free = 1;
            h->Size = need;
            *link = rest;
        } else {
            *link = h->NextFree;
        }
        h->Tag = Tag;
        h->PoolType = PoolType;
        h->Free = 0;
    }
    KiLowerIrqlRaw(old);
    if (!h)
        return NULL;
    if (Zero)
        RtlZeroMemory(h + 1, Bytes);
    return h + 1;
}

/* IRQL: <= DISPATCH_LEVEL (nonpaged), <= APC_LEVEL (paged). */
PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return MipAllocate((PoolType & 1) ? PagedPool : NonPagedPool, NumberOfBytes, Tag, FALSE);
}

PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes)
{
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, 'enoN');
}

/* IRQL: as ExAllocatePoolWithTag. Memory is zeroed unless POOL_FLAG_UNINITIALIZED. */
PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    return MipAllocate((Flags & POOL_FLAG_PAGED) ? PagedPool : NonPagedPool, NumberOfBytes, Tag,
                       !(Flags & POOL_FLAG_UNINITIALIZED));
}

/* IRQL: <= DISPATCH_LEVEL (nonpaged), <= APC_LEVEL (paged). Blocks return to the head
 * of the free list; neighbours are not merged in this early allocator. */
VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    POOL_HEADER *h = (POOL_HEADER *)P - 1;
    KIRQL irql = KeGetCurrentIrql();
    if ((ULONG64)P < MipPoolBase || (ULONG64)P >= MipPoolBase + MipPoolSize || h->Magic != POOL_MAGIC)
        KeBugCheckEx(BAD_POOL_HEADER, 0x20, (ULONG_PTR)P, 0, 0);
    if (h->Free)
        KeBugCheckEx(BAD_POOL_CALLER, 7, 0, (ULONG_PTR)P, h->Tag);
    if (irql > (h->PoolType == PagedPool ? APC_LEVEL : DISPATCH_LEVEL))
        KeBugCheckEx(BAD_POOL_CALLER, 9, irql, h->PoolType, (ULONG_PTR)P);
    if (Tag && Tag != h->Tag)
        KeBugCheckEx(BAD_POOL_CALLER, 0x0A, (ULONG_PTR)P, h->Tag, Tag);
    KIRQL old = KiRaiseIrqlRaw(HIGH_LEVEL);
    h->Free = 1;
    h->NextFree = MipFreeList;
    MipFreeList = h;
    KiLowerIrqlRaw(old);
}

VOID ExFreePool(PVOID P) { ExFreePoolWithTag(P, 0); }
