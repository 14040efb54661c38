/* mm/initdiscard.c - a driver's INIT code goes away once its DriverEntry has run, as on
 * Windows: the pages alloc_text(INIT, ...) put it on are unmapped until the driver loads again. */
#include "mi.h"

/* One row a driver built by tools/wdkbuild.sh, in boot/linker.ld's .kinitranges. */
typedef struct _MI_INIT_RANGE {
    PVOID DriverEntry;
    ULONG64 Start, End; /* page aligned; Start == End when the driver has no INIT code */
} MI_INIT_RANGE;
extern const MI_INIT_RANGE __kinitranges_start[], __kinitranges_end[];

static const MI_INIT_RANGE *MipFindInitRange(PVOID DriverEntry)
{
    for (const MI_INIT_RANGE *r = __kinitranges_start; r < __kinitranges_end; r++)
        if (r->DriverEntry == DriverEntry)
            return r;
    return NULL;
}

/* PASSIVE_LEVEL; the I/O manager calls it before DriverEntry. A driver loaded again after an
 * unload gets a fresh image on Windows, INIT section included: here its INIT pages are mapped
 * again onto the image's own frames, which still hold the code (it is never written). */
VOID MmLoadDriverInitialization(PVOID DriverEntry)
{
    const MI_INIT_RANGE *r = MipFindInitRange(DriverEntry);
    if (!r)
        return;
    KIRQL old = MiLock();
    for (ULONG64 va = r->Start; va < r->End; va += PAGE_SIZE)
        if (!(MiReadPte(va) & MI_PTE_P))
            MiWritePte(va, (va - KERNEL_OFFSET) | MI_PTE_P); /* read-only, executable: .text's */
    MiUnlock(old);
}

/* PASSIVE_LEVEL; the I/O manager calls it when DriverEntry returned success. The PTEs are left
 * marked freed, so a touch stops with PAGE_FAULT_IN_NONPAGED_AREA whose P4 is 0 (a PTE marked
 * free). The frames stay with the kernel image: the frame allocator never owned them.
 * Returns the pages discarded; 0 for a driver with no INIT code or no row. */
ULONG MmFreeDriverInitialization(PVOID DriverEntry)
{
    const MI_INIT_RANGE *r = MipFindInitRange(DriverEntry);
    ULONG pages = 0;
    if (!r)
        return 0;
    KIRQL old = MiLock();
    for (ULONG64 va = r->Start; va < r->End; va += PAGE_SIZE)
        if (MiReadPte(va) & MI_PTE_P) {
            MiWritePte(va, MI_PTE_FREED);
            pages++;
        }
    MiUnlock(old);
    return pages;
}
