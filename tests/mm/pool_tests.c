/* tests/mm/pool_tests.c - the executive pools: a mixed-size stress with content patterns,
 * tag accounting, the report and leak check, and each misuse's Windows bug check. */
#include "../ktest.h"
#include "../../kernel/mm/mi.h"

static ULONG KtpRandom(ULONG64 *State)
{
    *State = *State * 6364136223846793005ULL + 1442695040888963407ULL;
    return (ULONG)(*State >> 33);
}

static UCHAR KtpPattern(PVOID Block, SIZE_T i) { return (UCHAR)(((ULONG64)Block >> 4) * 31 + i * 7); }

#define KTP_SLOTS 512
KTEST(pool, stress_100k_mixed_sizes_with_patterns)
{
    static PUCHAR blocks[KTP_SLOTS];
    static ULONG sizes[KTP_SLOTS];
    static UCHAR paged[KTP_SLOTS];
    ULONG64 seed = 0x1234567;
    ULONG ops = 0, checked = 0;
    POOL_TAG_USAGE before, after;
    ExQueryPoolTagUsage('sStK', ~0u, &before);
    for (; ops < 100000; ops++) {
        ULONG i = KtpRandom(&seed) % KTP_SLOTS;
        if (blocks[i]) {
            for (ULONG j = 0; j < sizes[i]; j++)
                if (blocks[i][j] != KtpPattern(blocks[i], j)) {
                    KtFail(__FILE__, __LINE__, "block %p byte %u damaged", blocks[i], j);
                    return;
                }
            checked++;
            ExFreePoolWithTag(blocks[i], 'sStK');
            blocks[i] = NULL;
            continue;
        }
        ULONG r = KtpRandom(&seed);
        /* mostly small, some medium, a few multi-page */
        sizes[i] = (r & 7) == 0 ? 1 + r % 9000 : (r & 3) == 0 ? 1 + r % 2000 : 1 + r % 200;
        paged[i] = (r >> 20) & 1;
        blocks[i] = ExAllocatePoolWithTag(paged[i] ? PagedPool : NonPagedPool, sizes[i], 'sStK');
        KT_ASSERT(blocks[i] != NULL);
        KT_EQ((ULONG64)blocks[i] & 15, 0);
        KT_EQ(MmIsAddressPageable(blocks[i]), paged[i]);
        for (ULONG j = 0; j < sizes[i]; j++)
            blocks[i][j] = KtpPattern(blocks[i], j);
    }
    for (ULONG i = 0; i < KTP_SLOTS; i++)
        if (blocks[i]) {
            for (ULONG j = 0; j < sizes[i]; j++)
                KT_EQ(blocks[i][j], KtpPattern(blocks[i], j));
            ExFreePoolWithTag(blocks[i], 'sStK');
            blocks[i] = NULL;
        }
    ExQueryPoolTagUsage('sStK', ~0u, &after);
    KT_EQ(after.Outstanding, before.Outstanding);
    KT_EQ(after.Bytes, before.Bytes);
    KT_ASSERT(after.Allocations - before.Allocations > 40000);
    KT_ASSERT(checked > 40000);
}

KTEST(pool, allocate_pool2_zeroes_and_checks_flags)
{
    PUCHAR p = ExAllocatePoolWithTag(NonPagedPool, 200, 'zEtK');
    KT_ASSERT(p != NULL);
    RtlFillMemory(p, 200, 0xEE);
    ExFreePoolWithTag(p, 'zEtK');
    PUCHAR q = ExAllocatePool2(POOL_FLAG_NON_PAGED, 200, 'zEtK'); /* likely the same block */
    KT_ASSERT(q != NULL);
    for (ULONG i = 0; i < 200; i++)
        KT_EQ(q[i], 0);
    ExFreePool(q);
    KT_ASSERT(ExAllocatePool2(0, 16, 'zEtK') == NULL);
    KT_ASSERT(ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_NON_PAGED, 16, 'zEtK') == NULL);
    PUCHAR big = ExAllocatePool2(POOL_FLAG_PAGED, 3 * PAGE_SIZE, 'zEtK');
    KT_ASSERT(big != NULL);
    for (ULONG i = 0; i < 3 * PAGE_SIZE; i++)
        KT_EQ(big[i], 0);
    ExFreePoolWithTag(big, 'zEtK');
}

KTEST(pool, nonpaged_pool_is_resident_and_usable_at_dispatch)
{
    KIRQL old;
    PULONG blocks[64];
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    for (ULONG i = 0; i < 64; i++) {
        blocks[i] = ExAllocatePoolWithTag(NonPagedPool, 16 + i * 40, 'pDtK');
        blocks[i][0] = i;
    }
    for (ULONG i = 0; i < 64; i++) {
        KT_ASSERT(MmIsAddressValid(blocks[i]));
        KT_ASSERT(!MmIsAddressPageable(blocks[i]));
        KT_EQ(blocks[i][0], i);
        ExFreePoolWithTag(blocks[i], 'pDtK');
    }
    KeLowerIrql(old);
}

KTEST(pool, tags_count_allocations_frees_and_bytes)
{
    POOL_TAG_USAGE u;
    PVOID a = ExAllocatePoolWithTag(NonPagedPool, 100, 'gTtK');
    PVOID b = ExAllocatePoolWithTag(PagedPool, 5000, 'gTtK');
    ExQueryPoolTagUsage('gTtK', ~0u, &u);
    KT_EQ(u.Allocations, 2);
    KT_EQ(u.Outstanding, 2);
    KT_EQ(u.Bytes, 5100);
    ExQueryPoolTagUsage('gTtK', PagedPool, &u);
    KT_EQ(u.Bytes, 5000);
    ExFreePoolWithTag(a, 'gTtK');
    ExDumpPoolUsage();
    ExFreePoolWithTag(b, 'gTtK');
    ExQueryPoolTagUsage('gTtK', ~0u, &u);
    KT_EQ(u.Frees, 2);
    KT_EQ(u.Outstanding, 0);
    KT_EQ(u.Bytes, 0);
}

/* A stand-in driver: its code range is registered, so its allocations are charged to it. */
static PVOID volatile KtpLastAllocation;
static __attribute__((noinline)) PVOID KtpDriverAllocate(SIZE_T Bytes, ULONG Tag)
{
    /* not a tail call: the allocator sees a return address inside this "driver" */
    KtpLastAllocation = ExAllocatePoolWithTag(NonPagedPool, Bytes, Tag);
    return KtpLastAllocation;
}

KTEST_EX(pool_noverifier, leak_check_counts_a_drivers_outstanding_allocations, 0, "verifier=none")
{
    KT_STATUS(MmRegisterDriverImage("ktleak.sys", (PVOID)KtpDriverAllocate, 64), STATUS_SUCCESS);
    KT_STATUS(MmRegisterDriverImage("ktleak.sys", (PVOID)KtpDriverAllocate, 64), STATUS_OBJECT_NAME_COLLISION);
    KT_EQ(MmLookupDriverByAddress((PVOID)KtpDriverAllocate), (ULONG64)MmLookupDriverByAddress((PUCHAR)KtpDriverAllocate + 10));
    KT_ASSERT(strcmp(MmLookupDriverByAddress((PVOID)KtpDriverAllocate), "ktleak.sys") == 0);
    PVOID a = KtpDriverAllocate(10, 'kLtK');
    PVOID b = KtpDriverAllocate(20, 'kLtK');
    PVOID c = ExAllocatePoolWithTag(NonPagedPool, 30, 'rHtK'); /* the test's own, not the driver's */
    ULONG tag = 'rHtK';
    KT_EQ(MmVerifyDriverUnload("ktleak.sys", NULL, 0), 2);
    KT_EQ(MmVerifyDriverUnload("ktleak.sys", &tag, 1), 3);
    ExFreePoolWithTag(a, 'kLtK');
    ExFreePoolWithTag(b, 'kLtK');
    KT_EQ(MmVerifyDriverUnload("ktleak.sys", NULL, 0), 0);
    ExFreePoolWithTag(c, 'rHtK');
    KT_EQ(MmVerifyDriverUnload("ktleak.sys", &tag, 1), 0);
    MmUnregisterDriverImage("ktleak.sys");
    KT_ASSERT(MmLookupDriverByAddress((PVOID)KtpDriverAllocate) == NULL);
}

KTEST_BUGCHECK(pool, driver_unload_with_allocations_outstanding_is_c4_62, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    MmRegisterDriverImage("ktleak.sys", (PVOID)KtpDriverAllocate, 64);
    KtpDriverAllocate(10, 'kLtK');
    KtpDriverAllocate(20, 'kLtK');
    KtExpectBugCheck(0x62, KT_ANY, 'kLtK', 2);
    MmVerifyDriverUnload("ktleak.sys", NULL, 0);
}

KTEST_BUGCHECK(pool, paged_allocation_at_dispatch_is_c2_8, BAD_POOL_CALLER)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KtExpectBugCheck(8, DISPATCH_LEVEL, PagedPool, 100);
    ExAllocatePoolWithTag(PagedPool, 100, 'lQtK');
}

KTEST_BUGCHECK(pool, nonpaged_allocation_above_dispatch_is_c2_8, BAD_POOL_CALLER)
{
    KIRQL old;
    KeRaiseIrql(PROFILE_LEVEL, &old);
    KtExpectBugCheck(8, PROFILE_LEVEL, NonPagedPool, 64);
    ExAllocatePoolWithTag(NonPagedPool, 64, 'lQtK');
}

KTEST_BUGCHECK(pool, paged_free_at_dispatch_is_c2_9, BAD_POOL_CALLER)
{
    KIRQL old;
    PVOID p = ExAllocatePoolWithTag(PagedPool, 100, 'lQtK');
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KtExpectBugCheck(9, DISPATCH_LEVEL, PagedPool, (ULONG64)p);
    ExFreePoolWithTag(p, 'lQtK');
}

KTEST_BUGCHECK(pool, double_free_is_c2_7, BAD_POOL_CALLER)
{
    PVOID p = ExAllocatePoolWithTag(NonPagedPool, 40, 'bDtK');
    ExFreePoolWithTag(p, 'bDtK');
    KtExpectBugCheck(7, 0, KT_ANY, (ULONG64)p);
    ExFreePoolWithTag(p, 'bDtK');
}

KTEST_BUGCHECK(pool, free_with_wrong_tag_is_c2_0a, BAD_POOL_CALLER)
{
    PVOID p = ExAllocatePoolWithTag(NonPagedPool, 40, 'gTtK');
    KtExpectBugCheck(0x0A, (ULONG64)p, 'gTtK', '!daB');
    ExFreePoolWithTag(p, '!daB');
}

KTEST_BUGCHECK(pool, overrun_into_next_header_is_bad_pool_header, BAD_POOL_HEADER)
{
    /* 48 bytes + the header: the 64-byte class. Take a block with a neighbour in its page. */
    PUCHAR p;
    do
        p = ExAllocatePoolWithTag(NonPagedPool, 48, 'vOtK');
    while ((((ULONG64)p + 48) & MI_PAGE_MASK) + 64 > PAGE_SIZE);
    KtExpectBugCheck(0x20, (ULONG64)(p - 16), (ULONG64)(p + 48), 0);
    RtlFillMemory(p, 56, 0x41); /* 8 bytes too many: the next block's tag and size */
    ExFreePoolWithTag(p, 'vOtK');
}

KTEST_BUGCHECK(pool, zero_byte_allocation_under_verifier_is_c4_0, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    KtExpectBugCheck(0, PASSIVE_LEVEL, NonPagedPool, 0);
    ExAllocatePoolWithTag(NonPagedPool, 0, 'oZtK');
}

KTEST_BUGCHECK(pool, freeing_a_non_pool_address_is_c2_46, BAD_POOL_CALLER)
{
    static ULONG notPool[8];
    KtExpectBugCheck(0x46, (ULONG64)&notPool[4], 0, 0);
    ExFreePool(&notPool[4]);
}
