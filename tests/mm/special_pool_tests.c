/* tests/mm/special_pool_tests.c - special pool (specialpool=KtSp): a block ends against a
 * guard page, so an overrun faults (0xD6); freed pages stay unmapped (0xD5); damaged slack
 * is found on free (0xC1). */
#include "../ktest.h"
#include "../../kernel/mm/mi.h"

KTEST_EX(special_pool, blocks_end_at_a_guard_page, 0, "specialpool=KtSp")
{
    PUCHAR p = ExAllocatePoolWithTag(NonPagedPool, 48, 'pStK');
    PUCHAR q = ExAllocatePoolWithTag(NonPagedPool, 48, 'rOtK'); /* another tag: ordinary pool */
    KT_ASSERT(MiIsSpecialPoolAddress(p));
    KT_ASSERT(!MiIsSpecialPoolAddress(q));
    KT_EQ(((ULONG64)p + 48) & MI_PAGE_MASK, 0);
    KT_ASSERT(!MmIsAddressValid(p + 48));
    for (ULONG i = 0; i < 48; i++)
        KT_EQ(p[i], 0);
    RtlFillMemory(p, 48, 0x77);
    POOL_TAG_USAGE u;
    ExQueryPoolTagUsage('pStK', ~0u, &u);
    KT_EQ(u.Outstanding, 1);
    ExFreePoolWithTag(p, 'pStK');
    ExFreePoolWithTag(q, 'rOtK');
    KT_ASSERT(!MmIsAddressValid(p));
    ExQueryPoolTagUsage('pStK', ~0u, &u);
    KT_EQ(u.Outstanding, 0);
}

KTEST_EX(special_pool, overrun_is_d6, DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION, "specialpool=KtSp")
{
    volatile UCHAR *p = ExAllocatePoolWithTag(NonPagedPool, 32, 'pStK');
    KtExpectBugCheck((ULONG64)(p + 32), 0, KT_ANY, 0);
    (void)p[32];
}

KTEST_EX(special_pool, use_after_free_is_d5, DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL, "specialpool=KtSp")
{
    volatile ULONG *p = ExAllocatePoolWithTag(PagedPool, 64, 'pStK');
    *p = 1;
    ExFreePoolWithTag((PVOID)p, 'pStK');
    KtExpectBugCheck((ULONG64)p, 1, KT_ANY, 0);
    *p = 2;
}

KTEST_EX(special_pool, damaged_slack_is_c1_on_free, SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, "specialpool=all")
{
    PUCHAR p = ExAllocatePoolWithTag(NonPagedPool, 13, 'pStK'); /* 3 bytes of slack follow */
    KtExpectBugCheck((ULONG64)p, (ULONG64)(p + 13), 0, 0x24);
    p[13] = 0; /* within the page: no fault, but the pattern is gone */
    ExFreePoolWithTag(p, 'pStK');
}

KTEST_EX(special_pool, underrun_into_slack_is_c1_on_free, SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, "specialpool=all")
{
    PUCHAR p = ExAllocatePoolWithTag(NonPagedPool, 100, 'pStK');
    KtExpectBugCheck((ULONG64)p, (ULONG64)(p - 1), 0, 0x23);
    p[-1] = 0;
    ExFreePoolWithTag(p, 'pStK');
}
