/* mm/special.c - special pool (boot option specialpool=TAG or specialpool=all): each
 * allocation ends at a page boundary followed by a no-access page, sits in a page of its
 * own filled with a pattern around it, and its page stays unmapped after free. */
#include "mi.h"

#define MI_SPECIAL_MAGIC 0x4C435053u /* "SPCL" */
#define MI_SLACK_BYTE 0x5B
typedef struct _MI_SPECIAL_HEADER {
    ULONG Magic;
    ULONG Tag;
    ULONG Size;
    UCHAR PoolType;
    UCHAR Owner;
    USHORT Reserved;
} MI_SPECIAL_HEADER;

static ULONG MipSpecialNext; /* pages are used once, so a freed page keeps faulting */
static CHAR MipSpecialTag[5];
static BOOLEAN MipSpecialAll;

VOID MiInitializeSpecialPool(void)
{
    PCSTR v = KiGetBootOption("specialpool");
    if (!v)
        return;
    if (strncmp(v, "all", 3) == 0 && (v[3] == ' ' || !v[3])) {
        MipSpecialAll = TRUE;
        return;
    }
    for (ULONG i = 0; i < 4 && v[i] && v[i] != ' '; i++)
        MipSpecialTag[i] = v[i];
}

/* Tags are named as they read in memory ('kdiD' in source is "Didk"). */
BOOLEAN MiUseSpecialPool(ULONG Tag)
{
    if (MipSpecialAll)
        return TRUE;
    if (!MipSpecialTag[0])
        return FALSE;
    for (ULONG i = 0; i < 4; i++) {
        CHAR c = (CHAR)(Tag >> (8 * i));
        if (MipSpecialTag[i] ? c != MipSpecialTag[i] : (c != 0 && c != ' '))
            return FALSE;
    }
    return TRUE;
}

static ULONG64 MipDataOffset(ULONG Size) { return PAGE_SIZE - ((Size + 15) & ~15u); }

/* IRQL: as the pool type allows (checked by the caller). NULL when the region is used up:
 * the caller falls back to the ordinary pool. */
PVOID MiAllocateSpecialPool(ULONG PoolType, SIZE_T Bytes, ULONG Tag, UCHAR Owner)
{
    KIRQL old = MiLock();
    if (MipSpecialNext + 2 > MI_SPECIAL_POOL_PAGES) {
        MiUnlock(old);
        return NULL;
    }
    ULONG64 page = MI_SPECIAL_POOL_START + (ULONG64)MipSpecialNext * PAGE_SIZE;
    MipSpecialNext += 2;
    MiUnlock(old);
    if (!MiMapNewPages(page, 1, MI_PTE_W | MI_PTE_NX))
        return NULL;
    MiWritePte(page + PAGE_SIZE, MI_PTE_GUARD);
    MI_SPECIAL_HEADER *h = (MI_SPECIAL_HEADER *)page;
    RtlFillMemory((PVOID)page, PAGE_SIZE, MI_SLACK_BYTE);
    h->Magic = MI_SPECIAL_MAGIC;
    h->Tag = Tag;
    h->Size = (ULONG)Bytes;
    h->PoolType = (UCHAR)PoolType;
    h->Owner = Owner;
    h->Reserved = 0;
    PUCHAR data = (PUCHAR)page + MipDataOffset((ULONG)Bytes);
    RtlZeroMemory(data, Bytes);
    old = MiLock();
    MiTagAllocate(Tag, PoolType, Owner, Bytes);
    MiUnlock(old);
    return data;
}

/* IRQL: as ExFreePoolWithTag. Damaged slack is SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION:
 * P4 = 0x23 before the block, 0x24 after it (P2 the first damaged byte). */
VOID MiFreeSpecialPool(PVOID P, ULONG Tag)
{
    ULONG64 page = (ULONG64)P & ~MI_PAGE_MASK;
    ULONG64 pte = MiReadPte(page);
    KIRQL irql = KeGetCurrentIrql();
    if (pte & MI_PTE_FREED)
        KeBugCheckEx(BAD_POOL_CALLER, 7, 0, pte, (ULONG_PTR)P);
    if (!(pte & MI_PTE_P))
        KeBugCheckEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ULONG_PTR)P, 0, 0, 0x20);
    MI_SPECIAL_HEADER *h = (MI_SPECIAL_HEADER *)page;
    if (irql > (h->PoolType == PagedPool ? APC_LEVEL : DISPATCH_LEVEL))
        KeBugCheckEx(BAD_POOL_CALLER, 9, irql, h->PoolType, (ULONG_PTR)P);
    if (h->Magic != MI_SPECIAL_MAGIC || h->Size == 0 || h->Size > PAGE_SIZE ||
        (ULONG64)P != page + MipDataOffset(h->Size))
        KeBugCheckEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ULONG_PTR)P, h->Size,
                     PAGE_SIZE - ((ULONG64)P - page), 0x21);
    if (Tag && Tag != h->Tag)
        KeBugCheckEx(BAD_POOL_CALLER, 0x0A, (ULONG_PTR)P, h->Tag, Tag);
    for (PUCHAR b = (PUCHAR)(h + 1); b < (PUCHAR)P; b++)
        if (*b != MI_SLACK_BYTE)
            KeBugCheckEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ULONG_PTR)P, (ULONG_PTR)b, 0, 0x23);
    for (PUCHAR b = (PUCHAR)P + h->Size; b < (PUCHAR)page + PAGE_SIZE; b++)
        if (*b != MI_SLACK_BYTE)
            KeBugCheckEx(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ULONG_PTR)P, (ULONG_PTR)b, 0, 0x24);
    KIRQL old = MiLock();
    MiTagFree(h->Tag, h->PoolType, h->Owner, h->Size);
    MiUnlock(old);
    MiUnmapAndFreePages(page, 1, MI_PTE_FREED);
}
