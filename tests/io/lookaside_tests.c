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

/* A block back from the list is laid out as IoInitializeIrp lays out new memory: every byte of
 * the header and of the StackSize locations in use is what a fresh IRP has, whatever the last
 * user left there (here 0xA5 everywhere, and its own stack count). */
KTEST_EX(irplookaside, a_reused_irp_is_laid_out_as_new, 0, "verifier=none")
{
    PIRP a = IoAllocateIrp(4, FALSE);
    KT_ASSERT(a && (a->AllocationFlags & IRP_LOOKASIDE_ALLOCATION));
    USHORT size = a->Size;
    UCHAR flags = a->AllocationFlags;
    ULONG state = a->IopState;
    RtlFillMemory(a, size, 0xA5);
    a->Type = IO_TYPE_IRP;
    a->Size = size;
    a->AllocationFlags = flags;
    a->IopState = state;
    IoFreeIrp(a);
    PIRP b = IoAllocateIrp(4, FALSE);
    KT_ASSERT(b == a);
    static UCHAR fresh[sizeof(IRP) + 4 * sizeof(IO_STACK_LOCATION)];
    PIRP f = (PIRP)fresh;
    IoInitializeIrp(f, sizeof(fresh), 4);
    KT_EQ(b->Type, f->Type);
    KT_EQ(b->StackCount, 4);
    KT_EQ(b->CurrentLocation, 5);
    KT_EQ(b->ApcEnvironment, f->ApcEnvironment);
    KT_ASSERT(IsListEmpty(&b->ThreadListEntry));
    KT_ASSERT(b->Tail.Overlay.CurrentStackLocation == (PIO_STACK_LOCATION)(b + 1) + 4);
    /* the rest must match byte for byte: put the fields that differ by design in f */
    f->Size = b->Size;
    f->AllocationFlags = b->AllocationFlags;
    f->IopState = b->IopState;
    f->ThreadListEntry = b->ThreadListEntry;
    f->Tail.Overlay.CurrentStackLocation = b->Tail.Overlay.CurrentStackLocation;
    ULONG differ = 0;
    for (ULONG i = 0; i < sizeof(fresh); i++)
        differ += ((PUCHAR)b)[i] != fresh[i];
    KT_EQ(differ, 0);
    IoFreeIrp(b);
}

/* Each processor keeps its own list (in its PRCB, reached through GS): an IRP freed on
 * processor 0 waits there, so processor 1 does not get it, and processor 0 gets it back. */
KTEST_EX(smplookaside, each_processor_reuses_only_its_own_freed_irps, 0, "smp=2 verifier=none")
{
    KAFFINITY previous = KeSetSystemAffinityThreadEx(1);
    KT_EQ(KeGetCurrentProcessorNumberEx(NULL), 0);
    PIRP a = IoAllocateIrp(2, FALSE);
    KT_ASSERT(a && (a->AllocationFlags & IRP_LOOKASIDE_ALLOCATION));
    IoFreeIrp(a);
    KeSetSystemAffinityThreadEx(2);
    KT_EQ(KeGetCurrentProcessorNumberEx(NULL), 1);
    PIRP b = IoAllocateIrp(2, FALSE);
    KT_ASSERT(b && b != a);
    IoFreeIrp(b);
    KeSetSystemAffinityThreadEx(1);
    PIRP c = IoAllocateIrp(2, FALSE);
    KT_ASSERT(c == a);
    IoFreeIrp(c);
    KeSetSystemAffinityThreadEx(2);
    PIRP d = IoAllocateIrp(2, FALSE);
    KT_ASSERT(d == b);
    IoFreeIrp(d);
    KeRevertToUserAffinityThreadEx(previous);
}
