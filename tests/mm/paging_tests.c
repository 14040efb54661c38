/* tests/mm/paging_tests.c - real paging: paged pool and pageable code leave RAM, come back
 * on a real page fault at PASSIVE_LEVEL, and the same touch at DISPATCH_LEVEL bug-checks. */
#include "../ktest.h"
#include "../../kernel/mm/mi.h"

PAGEABLE static ULONG KtpPageableRoutine(ULONG a, ULONG b)
{
    PAGED_CODE();
    return a * 3 + b;
}

static ULONG64 KtpPageIns(void)
{
    MM_PAGING_STATISTICS s;
    MmQueryPagingStatistics(&s);
    return s.PageIns;
}

KTEST(paging, evicted_paged_pool_comes_back_intact_on_real_faults)
{
    const ULONG pages = 8;
    SIZE_T bytes = pages * PAGE_SIZE - 16; /* header + data fill exactly 8 pages */
    PUCHAR p = ExAllocatePoolWithTag(PagedPool, bytes, 'gPtK');
    KT_ASSERT(p != NULL);
    KT_ASSERT(MmIsAddressPageable(p));
    for (SIZE_T i = 0; i < bytes; i++)
        p[i] = (UCHAR)(i * 13 + 5);
    MM_PAGING_STATISTICS s0, s1, s2;
    MmQueryPagingStatistics(&s0);
    KT_ASSERT(MmTrimPagedPool() >= pages);
    MmQueryPagingStatistics(&s1);
    for (ULONG i = 0; i < pages; i++)
        KT_ASSERT(!MmIsAddressValid(p + i * PAGE_SIZE));
    KT_ASSERT(s1.PageWrites - s0.PageWrites >= pages); /* dirty: written to the backing store */
    KT_EQ(s1.ResidentPageable, 0);
    for (SIZE_T i = 0; i < bytes; i++)
        if (p[i] != (UCHAR)(i * 13 + 5)) {
            KtFail(__FILE__, __LINE__, "byte %llu came back as 0x%x", (ULONG64)i, p[i]);
            return;
        }
    MmQueryPagingStatistics(&s2);
    KT_EQ(s2.PageIns - s1.PageIns, pages); /* one real fault per page */
    for (ULONG i = 0; i < pages; i++)
        KT_ASSERT(MmIsAddressValid(p + i * PAGE_SIZE));
    /* Read-only since the page-in: clean, so evicting again writes nothing. */
    MmTrimPagedPool();
    MM_PAGING_STATISTICS s3;
    MmQueryPagingStatistics(&s3);
    KT_EQ(s3.PageWrites, s2.PageWrites);
    KT_EQ(p[bytes - 1], (UCHAR)((bytes - 1) * 13 + 5));
    ExFreePoolWithTag(p, 'gPtK');
}

KTEST(paging, small_paged_blocks_survive_eviction_and_free_paged_out)
{
    PULONG64 blocks[100];
    for (ULONG i = 0; i < 100; i++) {
        blocks[i] = ExAllocatePoolWithTag(PagedPool, 8 + (i % 5) * 100, 'sPtK');
        blocks[i][0] = 0xC0FFEE00 + i;
    }
    MmTrimPagedPool();
    KT_ASSERT(!MmIsAddressValid(blocks[0]));
    for (ULONG i = 0; i < 100; i += 2)
        KT_EQ(blocks[i][0], 0xC0FFEE00 + i);
    MmTrimPagedPool();
    for (ULONG i = 0; i < 100; i++)
        ExFreePoolWithTag(blocks[i], 'sPtK'); /* the allocator pages headers in itself */
    POOL_TAG_USAGE u;
    ExQueryPoolTagUsage('sPtK', PagedPool, &u);
    KT_EQ(u.Outstanding, 0);
}

KTEST(paging, raise_to_dispatch_trims_pageable_memory)
{
    KIRQL old;
    PULONG p = ExAllocatePoolWithTag(PagedPool, 64, 'rTtK');
    *p = 77;
    KT_ASSERT(MmIsAddressValid(p));
    KeRaiseIrql(DISPATCH_LEVEL, &old); /* verifier=all: force IRQL checking */
    BOOLEAN valid = MmIsAddressValid(p);
    KeLowerIrql(old);
    KT_ASSERT(!valid);
    KT_EQ(*p, 77);
    ExFreePoolWithTag(p, 'rTtK');
}

KTEST(paging, pageable_code_is_evicted_and_paged_back_in)
{
    PVOID fn = (PVOID)KtpPageableRoutine;
    KT_ASSERT(MmIsAddressPageable(fn));
    KT_ASSERT(!MmIsAddressPageable((PVOID)KeLowerIrql));
    MmTrimPagedPool();
    KT_ASSERT(!MmIsAddressValid(fn));
    ULONG64 before = KtpPageIns();
    KT_EQ(KtpPageableRoutine(5, 2), 17);
    KT_ASSERT(KtpPageIns() > before);
    KT_ASSERT(MmIsAddressValid(fn));
}

KTEST(paging, apc_level_may_fault_pages_in)
{
    KIRQL old;
    PULONG p = ExAllocatePoolWithTag(PagedPool, 64, 'aPtK');
    *p = 4242;
    MmTrimPagedPool();
    KeRaiseIrql(APC_LEVEL, &old);
    ULONG v = *p;
    KeLowerIrql(old);
    KT_EQ(v, 4242);
    ExFreePoolWithTag(p, 'aPtK');
}

/* Its own suite: the working-set limit is a boot option. */
/* A paged buffer locked by an MDL stays resident through trims (its frame is what a DMA or a
 * DPC writes to), even touched at DISPATCH_LEVEL; unlocked, it is trimmed again. */
KTEST(paging, mdl_locked_paged_pool_is_never_trimmed)
{
    KIRQL old;
    PUCHAR p = ExAllocatePoolWithTag(PagedPool, 2 * PAGE_SIZE, 'kLtK');
    KT_ASSERT(p != NULL);
    RtlFillMemory(p, 2 * PAGE_SIZE, 0x3C);
    PMDL mdl = IoAllocateMdl(p, 2 * PAGE_SIZE, FALSE, FALSE, NULL);
    KT_ASSERT(mdl != NULL);
    MmTrimPagedPool();
    MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess); /* faults it back in, then pins */
    MmTrimPagedPool();
    KeRaiseIrql(DISPATCH_LEVEL, &old); /* verifier=all trims everything unpinned here */
    BOOLEAN valid = MmIsAddressValid(p) && MmIsAddressValid(p + PAGE_SIZE);
    p[PAGE_SIZE + 5] = 0x77;           /* a legal touch at DISPATCH_LEVEL: no bug check */
    KeLowerIrql(old);
    KT_ASSERT(valid);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    MmTrimPagedPool();
    KT_ASSERT(!MmIsAddressValid(p));
    KT_EQ(p[0], 0x3C);
    KT_EQ(p[PAGE_SIZE + 5], 0x77);
    ExFreePoolWithTag(p, 'kLtK');
}

KTEST_EX(paging_wslimit, working_set_limit_evicts_under_pressure, 0, "mmwslimit=6")
{
    const ULONG pages = 40;
    PUCHAR p = ExAllocatePoolWithTag(PagedPool, pages * PAGE_SIZE, 'lWtK');
    MM_PAGING_STATISTICS s;
    KT_ASSERT(p != NULL);
    for (ULONG i = 0; i < pages; i++) {
        RtlFillMemory(p + i * PAGE_SIZE, PAGE_SIZE, (UCHAR)(i + 1));
        MmQueryPagingStatistics(&s);
        KT_ASSERT(s.ResidentPageable <= 6);
    }
    ULONG64 before = KtpPageIns();
    for (ULONG i = 0; i < pages; i++)
        for (ULONG j = 0; j < PAGE_SIZE; j += 512)
            KT_EQ(p[i * PAGE_SIZE + j], (UCHAR)(i + 1));
    MmQueryPagingStatistics(&s);
    KT_EQ(s.WorkingSetLimit, 6);
    KT_ASSERT(s.ResidentPageable <= 6);
    KT_ASSERT(s.PageIns - before >= pages - 6);
    ExFreePoolWithTag(p, 'lWtK');
}

static PULONG volatile KtpTarget;

KTEST_BUGCHECK(paging, paged_pool_touch_at_dispatch_is_irql_not_less_or_equal, IRQL_NOT_LESS_OR_EQUAL)
{
    KIRQL old;
    KtpTarget = ExAllocatePoolWithTag(PagedPool, 64, 'dPtK');
    *KtpTarget = 1;
    KtExpectBugCheck((ULONG64)KtpTarget, DISPATCH_LEVEL, 0, KT_ANY);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    (void)*(volatile ULONG *)KtpTarget;
}

/* A stand-in driver routine: registered as ktdrv.sys, so its fault is the driver's. */
static __attribute__((noinline)) VOID KtpDriverWrite(PULONG Target) { *(volatile ULONG *)Target = 9; }

KTEST_BUGCHECK(paging, paged_pool_write_at_dispatch_in_driver_is_d1, DRIVER_IRQL_NOT_LESS_OR_EQUAL)
{
    KIRQL old;
    MmRegisterDriverImage("ktdrv.sys", (PVOID)KtpDriverWrite, 32);
    KtpTarget = ExAllocatePoolWithTag(PagedPool, 64, 'dPtK');
    *KtpTarget = 1;
    KtExpectBugCheck((ULONG64)KtpTarget, DISPATCH_LEVEL, 1, KT_ANY);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KtpDriverWrite(KtpTarget);
}

KTEST_BUGCHECK(paging, pageable_code_at_dispatch_is_irql_not_less_or_equal, IRQL_NOT_LESS_OR_EQUAL)
{
    KIRQL old;
    ULONG (*volatile fn)(ULONG, ULONG) = KtpPageableRoutine;
    KtExpectBugCheck((ULONG64)fn, DISPATCH_LEVEL, 8, (ULONG64)fn);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    fn(1, 2);
}

KTEST_BUGCHECK(paging, driver_pageable_code_at_dispatch_is_d1, DRIVER_IRQL_NOT_LESS_OR_EQUAL)
{
    KIRQL old;
    ULONG (*volatile fn)(ULONG, ULONG) = KtpPageableRoutine;
    MmRegisterDriverImage("ktdrv.sys", (PVOID)KtpPageableRoutine, 64);
    KtExpectBugCheck((ULONG64)fn, DISPATCH_LEVEL, 8, (ULONG64)fn);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    fn(1, 2);
}

/* Without force IRQL checking the code stays resident; PAGED_CODE() still catches it. */
KTEST_EX(paging, paged_code_assertion_at_dispatch, KMODE_EXCEPTION_NOT_HANDLED, "verifier=none")
{
    KIRQL old;
    KtExpectBugCheck(STATUS_ASSERTION_FAILURE_CODE, KT_ANY, 0, 0);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KtpPageableRoutine(1, 2);
}
