/* mm/stack.c - kernel stacks for threads (early version: carved from nonpaged pool; the
 * pager replaces this with guard-paged stacks). */
#include "../ke/ki.h"

/* IRQL: <= APC_LEVEL. Returns the top of a stack of Pages pages, 16-byte aligned. */
PVOID MmCreateKernelStack(ULONG Pages)
{
    PUCHAR base = ExAllocatePoolWithTag(NonPagedPool, (SIZE_T)Pages * PAGE_SIZE, 'kStK');
    return base ? base + (SIZE_T)Pages * PAGE_SIZE : NULL;
}

/* IRQL: <= APC_LEVEL. */
VOID MmDeleteKernelStack(PVOID StackTop, ULONG Pages)
{
    ExFreePoolWithTag((PUCHAR)StackTop - (SIZE_T)Pages * PAGE_SIZE, 'kStK');
}

/* IRQL: any. Only pageable code exists so far; paged pool joins when the pager does. */
BOOLEAN MmIsAddressPageable(PVOID Address)
{
    return (PCHAR)Address >= __pagetext_start && (PCHAR)Address < __pagetext_end;
}
