/* tests/mm/smp_tlb_tests.c - TLB shootdown: processor 1 caches a translation, processor 0
 * changes or removes the PTE, and processor 1's very next access sees the change. QEMU keeps
 * a TLB per processor, so without the shootdown processor 1 would use the stale entry. */
#include "../ktest.h"
#include "../../kernel/mm/mi.h"
#include "../ktspin.h"

static volatile ULONG64 KtpTlbVa;
static volatile ULONG KtpTlbSeen;
static volatile LONG KtpTlbRuns;

static VOID KtpReadOnProcessor1(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    KtpTlbSeen = *(volatile ULONG *)KtpTlbVa;
    __atomic_add_fetch(&KtpTlbRuns, 1, __ATOMIC_SEQ_CST);
}

static KDPC KtpTlbDpc;
static BOOLEAN KtpReadThere(LONG Runs)
{
    KeInsertQueueDpc(&KtpTlbDpc, NULL, NULL);
    KT_SPIN_UNTIL(KtpTlbRuns >= Runs, 1000);
    return KtpTlbRuns == Runs;
}

static VOID KtpSetup(void)
{
    KeInitializeDpc(&KtpTlbDpc, KtpReadOnProcessor1, NULL);
    KeSetImportanceDpc(&KtpTlbDpc, HighImportance);
    KeSetTargetProcessorDpc(&KtpTlbDpc, 1);
    KtpTlbRuns = 0;
}

KTEST_EX(smptlb, a_page_remapped_on_one_processor_reads_new_on_the_other, 0, "smp=2")
{
    ULONG64 va = MiAllocateVa(&MiNonPagedPoolVa, 1);
    ULONG64 a = MiAllocatePhysicalPage(), b = MiAllocatePhysicalPage();
    KT_ASSERT(va && a && b);
    *(volatile ULONG *)HalPhysicalToVirtual(a) = 0xAAAA;
    *(volatile ULONG *)HalPhysicalToVirtual(b) = 0xBBBB;
    KtpSetup();
    KtpTlbVa = va;
    MiWritePte(va, a | MI_PTE_P | MI_PTE_W | MI_PTE_NX);
    KT_ASSERT(KtpReadThere(1));
    KT_EQ(KtpTlbSeen, 0xAAAA); /* processor 1 now holds va -> a */
    ULONG64 shots = KiTbShootdowns;
    MiWritePte(va, b | MI_PTE_P | MI_PTE_W | MI_PTE_NX);
    KT_EQ(KiTbShootdowns, shots + 1);
    KT_ASSERT(KtpReadThere(2));
    KT_EQ(KtpTlbSeen, 0xBBBB); /* not the stale va -> a */
    MiUnmapAndFreePages(va, 1, 0);
    MiFreeVa(&MiNonPagedPoolVa, va, 1);
    MiFreePhysicalPage(a);
}

/* The unmap: processor 1's next read of the page must fault (and, at DISPATCH_LEVEL in its
 * DPC, stop with IRQL_NOT_LESS_OR_EQUAL for that address, read, as a DPC touching an
 * invalid page does); without the shootdown it would read the freed frame. */
KTEST_EX(smptlb, a_page_unmapped_on_one_processor_faults_on_the_other_at_once, IRQL_NOT_LESS_OR_EQUAL, "smp=2")
{
    ULONG64 va = MiAllocateVa(&MiNonPagedPoolVa, 1);
    KT_ASSERT(va && MiMapNewPages(va, 1, MI_PTE_W | MI_PTE_NX));
    *(volatile ULONG *)va = 0x1234;
    KtpSetup();
    KtpTlbVa = va;
    KT_ASSERT(KtpReadThere(1));
    KT_EQ(KtpTlbSeen, 0x1234);
    MiUnmapAndFreePages(va, 1, 0);
    KtExpectBugCheck(va, DISPATCH_LEVEL, 0, KT_ANY);
    KtpReadThere(2); /* processor 1 stops the system; this processor is frozen meanwhile */
}
