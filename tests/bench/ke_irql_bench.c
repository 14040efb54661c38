/* tests/bench/ke_irql_bench.c - what the inline IRQL design costs: the bare loop, the inline
 * pair as a driver built with KE_INLINE_IRQL_UNCHECKED gets it, and the exported routines. */
#define KE_INLINE_IRQL_UNCHECKED /* this file only: Windows x64's bare `mov cr8` shape */
#include "../ktest.h"

#define N 20000

KBENCH_DEFINE(ke_irql_shapes)
{
    KIRQL old;
    ULONG64 t0 = __rdtsc();
    for (ULONG i = 0; i < N; i++)
        __asm__ volatile("" ::: "memory");
    KtBenchReport("loop_overhead (subtract from the rows below)", N, __rdtsc() - t0);
    t0 = __rdtsc();
    for (ULONG i = 0; i < N; i++) {
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        KeLowerIrql(old);
    }
    KtBenchReport("irql_raise_lower_pair, unchecked inline", N, __rdtsc() - t0);
    t0 = __rdtsc();
    for (ULONG i = 0; i < N; i++) {
        (KeRaiseIrql)(DISPATCH_LEVEL, &old);
        (KeLowerIrql)(old);
    }
    KtBenchReport("irql_raise_lower_pair, exported routines", N, __rdtsc() - t0);
    KSPIN_LOCK l;
    KeInitializeSpinLock(&l);
    t0 = __rdtsc();
    for (ULONG i = 0; i < N; i++) {
        (KeAcquireSpinLock)(&l, &old);
        (KeReleaseSpinLock)(&l, old);
    }
    KtBenchReport("spinlock_acquire_release, exported routines", N, __rdtsc() - t0);
}
