/* mm/map.c - page tables at 4 KiB granularity: walk and build them through the direct map,
 * hand out system virtual ranges by bitmap, and re-map the kernel image page by page. */
#include "mi.h"

static UCHAR MipNonPagedBitmap[MI_NONPAGED_POOL_PAGES / 8];
static UCHAR MipPagedBitmap[MI_PAGED_POOL_PAGES / 8];
static UCHAR MipSystemPteBitmap[MI_SYSTEM_PTE_PAGES / 8];
MI_VA_REGION MiNonPagedPoolVa = { MI_NONPAGED_POOL_START, MI_NONPAGED_POOL_PAGES, 0, MipNonPagedBitmap };
MI_VA_REGION MiPagedPoolVa = { MI_PAGED_POOL_START, MI_PAGED_POOL_PAGES, 0, MipPagedBitmap };
MI_VA_REGION MiSystemPteVa = { MI_SYSTEM_PTE_START, MI_SYSTEM_PTE_PAGES, 0, MipSystemPteBitmap };

static ULONG64 MipNewTable(void)
{
    ULONG64 p = MiAllocatePhysicalPage();
    if (p)
        RtlZeroMemory(HalPhysicalToVirtual(p), PAGE_SIZE);
    return p;
}

/* IRQL: any. Tables for kernel addresses are never freed, so a PTE pointer stays valid. */
PULONG64 MiGetPte(ULONG64 Va, BOOLEAN Create)
{
    PULONG64 table = HalPhysicalToVirtual(__readcr3() & MI_PFN_MASK);
    for (int shift = 39; shift > 12; shift -= 9) {
        PULONG64 e = &table[(Va >> shift) & 511];
        if (!(*e & MI_PTE_P)) {
            ULONG64 t;
            if (!Create || !(t = MipNewTable()))
                return NULL;
            *e = t | MI_PTE_P | MI_PTE_W;
        } else if (*e & MI_PTE_PS) {
            return NULL; /* a large page: no 4 KiB PTE here */
        }
        table = HalPhysicalToVirtual(*e & MI_PFN_MASK);
    }
    return &table[(Va >> 12) & 511];
}

/* IRQL: any. A large page reads as a present PTE. */
ULONG64 MiReadPte(ULONG64 Va)
{
    PULONG64 table = HalPhysicalToVirtual(__readcr3() & MI_PFN_MASK);
    for (int shift = 39; shift > 12; shift -= 9) {
        ULONG64 e = table[(Va >> shift) & 511];
        if (!(e & MI_PTE_P))
            return 0;
        if (e & MI_PTE_PS)
            return e;
        table = HalPhysicalToVirtual(e & MI_PFN_MASK);
    }
    return table[(Va >> 12) & 511];
}

VOID MiWritePte(ULONG64 Va, ULONG64 Pte)
{
    PULONG64 pte = MiGetPte(Va, TRUE);
    if (!pte)
        KeBugCheckEx(0x7D /* INSTALL_MORE_MEMORY */, MiTotalPhysicalPages, MiFreePhysicalPages, 0, 1);
    ULONG64 old = *pte;
    *pte = Pte;
    if (old & MI_PTE_P)
        KiFlushSingleTb((PVOID)Va); /* other processors may hold the old translation */
}

/* IRQL: any. Next fit over the region's bitmap; 0 when no run of Pages is free. */
ULONG64 MiAllocateVa(MI_VA_REGION *R, ULONG Pages)
{
    KIRQL old = MiLock();
    ULONG start = R->Hint, run = 0;
    for (ULONG scanned = 0; scanned < R->Pages + Pages; scanned++) {
        ULONG i = (start + scanned) % R->Pages;
        if (i == 0)
            run = 0; /* runs do not wrap */
        if (R->Bitmap[i / 8] & (1 << (i % 8))) {
            run = 0;
            continue;
        }
        if (++run == Pages) {
            ULONG first = i + 1 - Pages;
            for (ULONG j = first; j <= i; j++)
                R->Bitmap[j / 8] |= (UCHAR)(1 << (j % 8));
            R->Hint = (i + 1) % R->Pages;
            MiUnlock(old);
            return R->Base + (ULONG64)first * PAGE_SIZE;
        }
    }
    MiUnlock(old);
    return 0;
}

VOID MiFreeVa(MI_VA_REGION *R, ULONG64 Va, ULONG Pages)
{
    KIRQL old = MiLock();
    ULONG first = (ULONG)((Va - R->Base) / PAGE_SIZE);
    for (ULONG j = first; j < first + Pages; j++)
        R->Bitmap[j / 8] &= (UCHAR)~(1 << (j % 8));
    MiUnlock(old);
}

/* IRQL: any. Backs Va..+Pages with fresh frames; on failure nothing stays mapped. */
BOOLEAN MiMapNewPages(ULONG64 Va, ULONG Pages, ULONG64 Protection)
{
    for (ULONG i = 0; i < Pages; i++) {
        ULONG64 p = MiAllocatePhysicalPage();
        if (!p) {
            MiUnmapAndFreePages(Va, i, 0);
            return FALSE;
        }
        MiWritePte(Va + (ULONG64)i * PAGE_SIZE, p | MI_PTE_P | Protection);
    }
    return TRUE;
}

/* IRQL: any. LeaveBehind is the non-present PTE left in place (a guard or freed marker). */
VOID MiUnmapAndFreePages(ULONG64 Va, ULONG Pages, ULONG64 LeaveBehind)
{
    for (ULONG i = 0; i < Pages; i++) {
        ULONG64 va = Va + (ULONG64)i * PAGE_SIZE;
        PULONG64 pte = MiGetPte(va, FALSE);
        if (!pte)
            continue;
        ULONG64 old = *pte;
        *pte = LeaveBehind;
        if (old & MI_PTE_P)
            KiFlushSingleTb((PVOID)va);
        if (old & MI_PTE_P)
            MiFreePhysicalPage(old & MI_PFN_MASK);
    }
}

static ULONG64 MipKernelPageProtection(ULONG64 Va)
{
    if (Va < (ULONG64)__kernel_start || Va >= (ULONG64)__kernel_end)
        return 0; /* the low-linked boot stub and the rest of the first GiB: not mapped */
    if (Va >= (ULONG64)KiBootStackGuard && Va < (ULONG64)KiBootStack)
        return MI_PTE_GUARD;
    if (Va < (ULONG64)__rodata_start)
        return MI_PTE_P; /* .text and .pagetext: read-only, executable */
    if (Va < (ULONG64)__data_start)
        return MI_PTE_P | MI_PTE_NX;
    return MI_PTE_P | MI_PTE_W | MI_PTE_NX;
}

/* Called once at boot. The boot tables map the kernel with 2 MiB pages from the same page
 * directory as the direct map, so the kernel gets its own directory and page tables: text
 * read-only, data no-execute, NULL-adjacent and boot-stack guard pages absent. The direct
 * map itself stays 2 MiB pages (the HAL's MMIO uses it), but nothing executes from it. */
VOID MiProtectKernelImage(void)
{
    PULONG64 pml4 = HalPhysicalToVirtual(__readcr3() & MI_PFN_MASK);
    PULONG64 pdptHigh = HalPhysicalToVirtual(pml4[511] & MI_PFN_MASK);
    PULONG64 pdptLow = HalPhysicalToVirtual(pml4[256] & MI_PFN_MASK);
    ULONG64 pdPhys = MipNewTable();
    PULONG64 pd = HalPhysicalToVirtual(pdPhys);
    ULONG64 end = ((ULONG64)__kernel_end + 0x1FFFFF) & ~0x1FFFFFULL;

    for (ULONG64 big = KERNEL_OFFSET; big < end; big += 0x200000) {
        ULONG64 ptPhys = MipNewTable();
        PULONG64 pt = HalPhysicalToVirtual(ptPhys);
        for (ULONG i = 0; i < 512; i++) {
            ULONG64 va = big + (ULONG64)i * PAGE_SIZE, prot = MipKernelPageProtection(va);
            pt[i] = (prot & MI_PTE_P) ? (va - KERNEL_OFFSET) | prot : prot;
        }
        pd[(big >> 21) & 511] = ptPhys | MI_PTE_P | MI_PTE_W;
    }
    pdptHigh[510] = pdPhys | MI_PTE_P | MI_PTE_W;
    for (ULONG d = 0; d < 4; d++) {
        PULONG64 dm = HalPhysicalToVirtual(pdptLow[d] & MI_PFN_MASK);
        for (ULONG i = 0; i < 512; i++)
            dm[i] |= MI_PTE_NX;
    }
    __writecr3(__readcr3());
}
