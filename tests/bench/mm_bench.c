/* tests/bench/mm_bench.c - memory-manager costs: pool alloc/free pairs by size and pool
 * type, and one page-in (a real fault served from the backing store). */
#include "../ktest.h"
#include <arch/x86.h>

#define KBP_ROUNDS 2000

static VOID KbpPair(PCSTR Name, POOL_TYPE Type, SIZE_T Bytes)
{
    PVOID warm = ExAllocatePoolWithTag(Type, Bytes, 'hBtK'); /* the class page exists */
    ExFreePoolWithTag(warm, 'hBtK');
    ULONG64 t0 = __rdtsc();
    for (ULONG i = 0; i < KBP_ROUNDS; i++) {
        PVOID p = ExAllocatePoolWithTag(Type, Bytes, 'hBtK');
        ExFreePoolWithTag(p, 'hBtK');
    }
    KtBenchReport(Name, KBP_ROUNDS, __rdtsc() - t0);
}

KBENCH_DEFINE(mm_pool)
{
    KbpPair("nonpaged alloc+free 64 B", NonPagedPool, 64);
    KbpPair("nonpaged alloc+free 4 KiB", NonPagedPool, 4096);
    KbpPair("paged alloc+free 64 B", PagedPool, 64);
    KbpPair("paged alloc+free 4 KiB", PagedPool, 4096);
}

KBENCH_DEFINE(mm_page_in)
{
    volatile UCHAR *p = ExAllocatePoolWithTag(PagedPool, 64, 'hBtK');
    ULONG64 ticks = 0;
    p[0] = 1;
    for (ULONG i = 0; i < 200; i++) {
        MmTrimPagedPool();
        ULONG64 t0 = __rdtsc();
        (void)p[0]; /* one fault, one 4 KiB copy back from the backing store */
        ticks += __rdtsc() - t0;
    }
    KtBenchReport("page-in (fault + 4 KiB read)", 200, ticks);
    ExFreePoolWithTag((PVOID)p, 'hBtK');
}
