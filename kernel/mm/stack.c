/* mm/stack.c - kernel stacks: resident pages in the system PTE region with a no-access
 * guard page below, so an overflow faults (and, pushing, double-faults) instead of
 * silently overwriting whatever lies beneath. */
#include "mi.h"

/* IRQL: <= APC_LEVEL. Returns the top of a stack of Pages pages, page aligned; NULL when
 * out of memory or address space. */
PVOID MmCreateKernelStack(ULONG Pages)
{
    if (!Pages)
        return NULL;
    ULONG64 va = MiAllocateVa(&MiSystemPteVa, Pages + 1);
    if (!va)
        return NULL;
    MiWritePte(va, MI_PTE_GUARD);
    if (!MiMapNewPages(va + PAGE_SIZE, Pages, MI_PTE_W | MI_PTE_NX)) {
        MiWritePte(va, 0);
        MiFreeVa(&MiSystemPteVa, va, Pages + 1);
        return NULL;
    }
    return (PVOID)(va + (ULONG64)(Pages + 1) * PAGE_SIZE);
}

/* IRQL: <= APC_LEVEL, never on the stack being deleted. */
VOID MmDeleteKernelStack(PVOID StackTop, ULONG Pages)
{
    ULONG64 va = (ULONG64)StackTop - (ULONG64)(Pages + 1) * PAGE_SIZE;
    MiUnmapAndFreePages(va + PAGE_SIZE, Pages, 0);
    MiWritePte(va, 0);
    MiFreeVa(&MiSystemPteVa, va, Pages + 1);
}

/* IRQL: any. Paged pool and pageable code: what must not be touched at DISPATCH_LEVEL. */
BOOLEAN MmIsAddressPageable(PVOID Address)
{
    return MiIsPagedPoolAddress(Address) || MiIsPageTextAddress((ULONG64)Address);
}
