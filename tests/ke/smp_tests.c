/* tests/ke/smp_tests.c - processor blocks and processor numbers: each processor finds its
 * own block through its GS base, and the counts agree with the processors that started. */
#include "../ktest.h"
#include "../../kernel/ke/ki.h"

KTEST(smp, processor_block_is_found_through_the_gs_base)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    PROCESSOR_NUMBER pn;
    KT_EQ(__readmsr(0xC0000101), (ULONG64)prcb);
    KT_EQ(prcb->Self, prcb);
    KT_EQ(KeGetCurrentProcessorNumberEx(&pn), prcb->Number);
    KT_EQ(pn.Group, 0);
    KT_EQ(pn.Number, prcb->Number);
    KT_EQ(prcb, &KiProcessorBlock[prcb->Number]);
    KT_ASSERT(KiActiveProcessors & ((KAFFINITY)1 << prcb->Number));
}

KTEST(smp, active_processor_counts_agree)
{
    KAFFINITY active;
    ULONG n = KeQueryActiveProcessorCount(&active);
    KT_ASSERT(n >= 1);
    KT_EQ(KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS), n);
    KT_EQ(KeQueryActiveProcessorCountEx(0), n);
    KT_EQ(KeQueryActiveProcessorCountEx(1), 0);
    KT_EQ((ULONG)KeNumberProcessors, n);
    ULONG bits = 0;
    for (KAFFINITY a = active; a; a &= a - 1)
        bits++;
    KT_EQ(bits, n);
    KT_EQ(active, KeQueryActiveProcessors());
    for (ULONG i = 0; i < n; i++) {
        PROCESSOR_NUMBER pn;
        KT_STATUS(KeGetProcessorNumberFromIndex(i, &pn), STATUS_SUCCESS);
        KT_EQ(KeGetProcessorIndexFromNumber(&pn), i);
        KT_EQ(KiProcessorBlock[i].Started, 1);
    }
    PROCESSOR_NUMBER bad = { 0, (UCHAR)n, 0 };
    KT_EQ(KeGetProcessorIndexFromNumber(&bad), 0xFFFFFFFF);
    KT_STATUS(KeGetProcessorNumberFromIndex(n, &bad), STATUS_INVALID_PARAMETER);
}
