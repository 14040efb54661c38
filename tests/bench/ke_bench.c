/* tests/bench/ke_bench.c - cost of the kernel core's primitives: IRQL raise/lower, spin
 * locks, DPC insert-to-run, and a real interrupt through its ISR to its DPC. */
#include "../ktest.h"
#include "../../kernel/ke/ki.h"
#include "../../kernel/hal/hal.h"

#define N 20000

KBENCH_DEFINE(ke_irql)
{
    KIRQL old;
    ULONG64 t0 = __rdtsc();
    for (ULONG i = 0; i < N; i++) {
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        KeLowerIrql(old);
    }
    KtBenchReport("irql_raise_lower_pair", N, __rdtsc() - t0);
}

KBENCH_DEFINE(ke_spinlock)
{
    KSPIN_LOCK l;
    KIRQL old;
    KLOCK_QUEUE_HANDLE h;
    KeInitializeSpinLock(&l);
    ULONG64 t0 = __rdtsc();
    for (ULONG i = 0; i < N; i++) {
        KeAcquireSpinLock(&l, &old);
        KeReleaseSpinLock(&l, old);
    }
    KtBenchReport("spinlock_acquire_release", N, __rdtsc() - t0);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    t0 = __rdtsc();
    for (ULONG i = 0; i < N; i++) {
        KeAcquireSpinLockAtDpcLevel(&l);
        KeReleaseSpinLockFromDpcLevel(&l);
    }
    KtBenchReport("spinlock_at_dpc_level", N, __rdtsc() - t0);
    KeLowerIrql(old);
    t0 = __rdtsc();
    for (ULONG i = 0; i < N; i++) {
        KeAcquireInStackQueuedSpinLock(&l, &h);
        KeReleaseInStackQueuedSpinLock(&h);
    }
    KtBenchReport("queued_spinlock_acquire_release", N, __rdtsc() - t0);
}

static volatile ULONG64 KbpRunTsc;
static VOID KbpDpc(PKDPC Dpc, PVOID C, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(C); UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    KbpRunTsc = __rdtsc();
}

KBENCH_DEFINE(ke_dpc)
{
    KDPC d;
    ULONG64 sum = 0;
    KeInitializeDpc(&d, KbpDpc, NULL);
    for (ULONG i = 0; i < N / 4; i++) {
        ULONG64 t0 = __rdtsc();
        KeInsertQueueDpc(&d, NULL, NULL); /* at PASSIVE: runs before the insert returns */
        sum += KbpRunTsc - t0;
    }
    KtBenchReport("dpc_insert_to_run", N / 4, sum);
}

static KDPC KbpIsrDpc;
static volatile ULONG64 KbpIsrTsc;
static BOOLEAN KbpIsr(PKINTERRUPT I, PVOID C)
{
    UNREFERENCED_PARAMETER(I); UNREFERENCED_PARAMETER(C);
    KbpIsrTsc = __rdtsc();
    KeInsertQueueDpc(&KbpIsrDpc, NULL, NULL);
    return TRUE;
}

KBENCH_DEFINE(ke_interrupt)
{
    KINTERRUPT i;
    ULONG64 toIsr = 0, toDpc = 0;
    KeInitializeDpc(&KbpIsrDpc, KbpDpc, NULL);
    KeInitializeInterrupt(&i, KbpIsr, NULL, NULL, 0x51, 5, 5, Latched);
    KeConnectInterrupt(&i);
    for (ULONG n = 0; n < N / 4; n++) {
        KbpRunTsc = 0;
        ULONG64 t0 = __rdtsc();
        HalSendSelfIpi(0x51);
        while (!KbpRunTsc)
            ;
        toIsr += KbpIsrTsc - t0;
        toDpc += KbpRunTsc - t0;
    }
    KeDisconnectInterrupt(&i);
    KtBenchReport("interrupt_to_isr", N / 4, toIsr);
    KtBenchReport("interrupt_to_isr_to_dpc", N / 4, toDpc);
}
