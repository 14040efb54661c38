/* tests/bench/smp_bench.c - multiprocessor costs (make bench boots these with -smp 2 and 4):
 * a spin lock every processor fights for, an IPI round trip, a DPC queued here run there. */
#include "../ktest.h"
#include "../../kernel/ke/ki.h"
#include "../../kernel/hal/hal.h"

#define KBP_SMP_N 20000

static KSPIN_LOCK KbpSmpLock;
static volatile ULONG64 KbpSmpCounter;

/* IPI_LEVEL on every processor at once: all of them hammer the one lock. */
static ULONG_PTR KbpContend(ULONG_PTR Context)
{
    for (ULONG i = 0; i < (ULONG)Context; i++) {
        KeAcquireSpinLockAtDpcLevel(&KbpSmpLock);
        KbpSmpCounter++;
        KeReleaseSpinLockFromDpcLevel(&KbpSmpLock);
    }
    return 0;
}

static ULONG_PTR KbpNothing(ULONG_PTR Context) { return Context; }

static volatile LONG KbpDpcRuns;
static volatile ULONG KbpDpcProcessor;
static VOID KbpRemoteDpc(PKDPC Dpc, PVOID C, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(C); UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    KbpDpcProcessor = KeGetCurrentProcessorNumberEx(NULL);
    __atomic_add_fetch(&KbpDpcRuns, 1, __ATOMIC_RELEASE);
}

/* Names carry the processor count, so the -smp 2 and -smp 4 boots give separate rows. */
static VOID KbpReport(PCSTR What, ULONG Processors, ULONG64 Ops, ULONG64 Ticks)
{
    static CHAR names[8][48];
    static ULONG next;
    PCHAR n = names[next++ % ARRAYSIZE(names)];
    RtlStringCbPrintfA(n, sizeof(names[0]), "%s_%ucpu", What, Processors);
    KtBenchReport(n, Ops, Ticks);
}

KBENCH_DEFINE(smp)
{
    ULONG cpus = KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS);
    if (cpus < 2) {
        DbgPrint("BENCH-INFO smp: one processor, no multiprocessor rows (make bench boots -smp 2 and 4)\n");
        return;
    }
    KeInitializeSpinLock(&KbpSmpLock);
    KbpSmpCounter = 0;
    ULONG64 t0 = __rdtsc();
    KeIpiGenericCall(KbpContend, KBP_SMP_N);
    ULONG64 t = __rdtsc() - t0;
    if (KbpSmpCounter != (ULONG64)KBP_SMP_N * cpus)
        DbgPrint("BENCH-INFO smp: contended count %llu, expected %llu\n", KbpSmpCounter, (ULONG64)KBP_SMP_N * cpus);
    KbpReport("smp_spinlock_contended", cpus, (ULONG64)KBP_SMP_N * cpus, t);

    t0 = __rdtsc();
    for (ULONG i = 0; i < 500; i++)
        KeIpiGenericCall(KbpNothing, i);
    KbpReport("smp_ipi_generic_call_round_trip", cpus, 500, __rdtsc() - t0);

    /* queued on processor 0, run on the last one: insert to the routine's end, one at a time */
    KDPC d;
    KeInitializeDpc(&d, KbpRemoteDpc, NULL);
    KeSetTargetProcessorDpc(&d, (CCHAR)(cpus - 1));
    KeSetImportanceDpc(&d, HighImportance);
    KbpDpcRuns = 0;
    ULONG done = 0;
    t0 = __rdtsc();
    for (ULONG i = 0; i < 500; i++) {
        KeInsertQueueDpc(&d, NULL, NULL);
        for (ULONG64 spins = 0; __atomic_load_n(&KbpDpcRuns, __ATOMIC_ACQUIRE) == (LONG)i && spins < 100000000ULL; spins++)
            _mm_pause();
        done = (ULONG)KbpDpcRuns;
        if (done != i + 1)
            break;
    }
    t = __rdtsc() - t0;
    if (done != 500 || KbpDpcProcessor != cpus - 1)
        DbgPrint("BENCH-INFO smp: remote DPC ran %u of 500 times, last on processor %u\n", done, KbpDpcProcessor);
    KbpReport("smp_dpc_insert_to_run_remote", cpus, done, t);
}
