/* tests/ex/lookaside_tests.c - lookaside lists: LIFO reuse of freed blocks, the pool (or the
 * driver's callbacks) only on a miss or when the list is full, depth that follows the miss
 * rate, paged and _EX forms, deletion returning every block; and Verifier 0xCA, 0xCB, 0xCD. */
#include "../ke/kthread_util.h"

static volatile LONG KtpAllocs, KtpFrees;
static PVOID KtpAllocate(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    KtpAllocs++;
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}
static VOID KtpFree(PVOID Buffer)
{
    KtpFrees++;
    ExFreePoolWithTag(Buffer, 'tLtK');
}

static NPAGED_LOOKASIDE_LIST KtpList;

KTEST(lookaside, a_freed_block_is_the_next_one_allocated_and_the_pool_is_asked_only_on_a_miss)
{
    KtpAllocs = KtpFrees = 0;
    ExInitializeNPagedLookasideList(&KtpList, KtpAllocate, KtpFree, 0, 48, 'tLtK', 0);
    PVOID a = ExAllocateFromNPagedLookasideList(&KtpList);
    KT_ASSERT(a);
    KT_EQ(KtpAllocs, 1);
    ExFreeToNPagedLookasideList(&KtpList, a);
    KT_EQ(KtpFrees, 0); /* kept, not freed */
    PVOID b = ExAllocateFromNPagedLookasideList(&KtpList);
    KT_ASSERT(b == a);
    KT_EQ(KtpAllocs, 1);
    KT_EQ(KtpList.L.TotalAllocates, 2);
    KT_EQ(KtpList.L.AllocateMisses, 1);
    ExFreeToNPagedLookasideList(&KtpList, b);
    ExDeleteNPagedLookasideList(&KtpList); /* the kept block goes back through Free */
    KT_EQ(KtpFrees, 1);
}

KTEST(lookaside, a_full_list_frees_to_the_pool_instead_of_keeping)
{
    PVOID blocks[10];
    KtpAllocs = KtpFrees = 0;
    ExInitializeNPagedLookasideList(&KtpList, KtpAllocate, KtpFree, 0, 32, 'tLtK', 0);
    KT_EQ(KtpList.L.Depth, 4);
    for (int i = 0; i < 10; i++)
        KT_ASSERT((blocks[i] = ExAllocateFromNPagedLookasideList(&KtpList)) != NULL);
    for (int i = 0; i < 10; i++)
        ExFreeToNPagedLookasideList(&KtpList, blocks[i]);
    KT_EQ(ExQueryDepthSList(&KtpList.L.ListHead), 4);
    KT_EQ(KtpList.L.FreeMisses, 6);
    KT_EQ(KtpFrees, 6);
    ExDeleteNPagedLookasideList(&KtpList);
    KT_EQ(KtpFrees, 10);
}

KTEST(lookaside, depth_grows_while_allocations_miss_and_misses_fall)
{
    PVOID blocks[24];
    ULONG firstMisses = 0, lastMisses = 0;
    ExInitializeNPagedLookasideList(&KtpList, NULL, NULL, 0, 64, 'tLtK', 0);
    for (int round = 0; round < 40; round++) {
        ULONG before = KtpList.L.AllocateMisses;
        for (int i = 0; i < 24; i++)
            blocks[i] = ExAllocateFromNPagedLookasideList(&KtpList);
        for (int i = 0; i < 24; i++)
            ExFreeToNPagedLookasideList(&KtpList, blocks[i]);
        ULONG misses = KtpList.L.AllocateMisses - before;
        if (round == 0)
            firstMisses = misses;
        lastMisses = misses;
    }
    KT_EQ(firstMisses, 24);
    KT_ASSERT(KtpList.L.Depth >= 24);
    KT_EQ(lastMisses, 0);
    ExDeleteNPagedLookasideList(&KtpList);
}

KTEST(lookaside, a_paged_list_hands_out_paged_pool)
{
    static PAGED_LOOKASIDE_LIST paged;
    ExInitializePagedLookasideList(&paged, NULL, NULL, 0, 100, 'tLtK', 0);
    PVOID p = ExAllocateFromPagedLookasideList(&paged);
    KT_ASSERT(p);
    KT_ASSERT(MmIsAddressPageable(p));
    RtlFillMemory(p, 100, 0x5A);
    ExFreeToPagedLookasideList(&paged, p);
    KT_ASSERT(ExAllocateFromPagedLookasideList(&paged) == p);
    ExFreeToPagedLookasideList(&paged, p);
    ExDeletePagedLookasideList(&paged);
}

static LOOKASIDE_LIST_EX KtpListEx;
static volatile LONG KtpExSawList;
static PVOID KtpAllocateEx(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag, PLOOKASIDE_LIST_EX Lookaside)
{
    KtpExSawList += Lookaside == &KtpListEx;
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}
static VOID KtpFreeEx(PVOID Buffer, PLOOKASIDE_LIST_EX Lookaside)
{
    KtpExSawList += Lookaside == &KtpListEx;
    ExFreePool(Buffer);
}

KTEST(lookaside, the_ex_form_passes_the_list_to_its_callbacks_and_flush_empties_it)
{
    KtpExSawList = 0;
    KT_STATUS(ExInitializeLookasideListEx(&KtpListEx, KtpAllocateEx, KtpFreeEx, NonPagedPoolNx, 0, 40, 'tLtK', 0),
              STATUS_SUCCESS);
    PVOID a = ExAllocateFromLookasideListEx(&KtpListEx);
    PVOID b = ExAllocateFromLookasideListEx(&KtpListEx);
    KT_ASSERT(a && b);
    ExFreeToLookasideListEx(&KtpListEx, a);
    ExFreeToLookasideListEx(&KtpListEx, b);
    KT_EQ(KtpExSawList, 2);
    ExFlushLookasideListEx(&KtpListEx);
    KT_EQ(KtpExSawList, 4);
    KT_EQ(ExQueryDepthSList(&KtpListEx.L.ListHead), 0);
    ExDeleteLookasideListEx(&KtpListEx);
    KT_STATUS(ExInitializeLookasideListEx(&KtpListEx, NULL, NULL, NonPagedPool, 3, 40, 'tLtK', 0),
              STATUS_INVALID_PARAMETER); /* both failure flags at once */
}

KTEST_BUGCHECK(lookaside, verifier_block_smaller_than_the_list_link, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    KtExpectBugCheck(0xCD, (ULONG64)&KtpList, 8, sizeof(SLIST_ENTRY));
    ExInitializeNPagedLookasideList(&KtpList, NULL, NULL, 0, 8, 'tLtK', 0);
}

KTEST_BUGCHECK(lookaside, verifier_initializing_a_live_list_again, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    ExInitializeNPagedLookasideList(&KtpList, NULL, NULL, 0, 32, 'tLtK', 0);
    KtExpectBugCheck(0xCA, (ULONG64)&KtpList, 0, 0);
    ExInitializeNPagedLookasideList(&KtpList, NULL, NULL, 0, 32, 'tLtK', 0);
}

KTEST_BUGCHECK(lookaside, verifier_deleting_a_list_never_initialized, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static NPAGED_LOOKASIDE_LIST never;
    KtExpectBugCheck(0xCB, (ULONG64)&never, 0, 0);
    ExDeleteNPagedLookasideList(&never);
}
