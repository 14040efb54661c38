/* tests/io/lookaside_tests.c - the IRP lookaside list: without I/O verification a freed IRP of
 * up to eight locations is the next one allocated; with it, every IRP comes from the pool. */
#include "../ktest.h"

KTEST_EX(irplookaside, a_freed_irp_is_reused_without_verifier, 0, "verifier=none")
{
    IO_IRP_STATISTICS s0, s1;
    IoQueryIrpStatistics(&s0);
    PIRP a = IoAllocateIrp(3, FALSE);
    KT_ASSERT(a != NULL);
    KT_ASSERT(a->AllocationFlags & IRP_LOOKASIDE_ALLOCATION);
    KT_EQ(a->StackCount, 3);
    KT_EQ(a->CurrentLocation, 4);
    KT_ASSERT(IoGetNextIrpStackLocation(a) == (PIO_STACK_LOCATION)(a + 1) + 2);
    IoFreeIrp(a);
    PIRP b = IoAllocateIrp(7, FALSE);
    KT_ASSERT(b == a);                         /* the same block, laid out again */
    KT_EQ(b->Type, IO_TYPE_IRP);
    KT_EQ(b->StackCount, 7);
    KT_ASSERT(IoGetNextIrpStackLocation(b) == (PIO_STACK_LOCATION)(b + 1) + 6);
    PIRP big = IoAllocateIrp(12, FALSE);       /* larger than the list's IRPs: from the pool */
    KT_ASSERT(big && !(big->AllocationFlags & IRP_LOOKASIDE_ALLOCATION));
    IoFreeIrp(big);
    IoFreeIrp(b);
    IoQueryIrpStatistics(&s1);
    KT_EQ(s1.Allocated - s0.Allocated, 3);     /* IRPs in use are still counted as before */
    KT_EQ(s1.Freed - s0.Freed, 3);
    KT_EQ(s1.Outstanding, s0.Outstanding);
}

KTEST(irplookaside, io_verification_allocates_every_irp_from_the_pool)
{
    PIRP a = IoAllocateIrp(3, FALSE);
    KT_ASSERT(a != NULL);
    KT_ASSERT(!(a->AllocationFlags & IRP_LOOKASIDE_ALLOCATION));
    IoFreeIrp(a);
}
