/* tests/bench/vf_bench.c - what fault injection costs when nothing is armed: the inline check
 * every site makes (VfShouldFail: a load, a test, a branch predicted not taken), measured as
 * the difference between a loop with the check and the same loop without it, and the pool
 * allocation path with its site disarmed. */
#include "../ktest.h"
#include <irqlab/vf.h>
#include <arch/x86.h>

#define KBV_ROUNDS 1000000

KBENCH_DEFINE(vf_disabled_check)
{
    ULONG64 hits = 0;
    VfReset();
    ULONG64 t0 = __rdtsc();
    for (ULONG64 i = 0; i < KBV_ROUNDS; i++)
        __asm__ volatile("" : "+r"(hits) : "r"(i) : "memory");
    ULONG64 t1 = __rdtsc();
    for (ULONG64 i = 0; i < KBV_ROUNDS; i++) {
        hits += VfShouldFail(VfSitePool, i, NULL);
        __asm__ volatile("" : "+r"(hits) : "r"(i) : "memory");
    }
    ULONG64 t2 = __rdtsc();
    ULONG64 with = t2 - t1, without = t1 - t0;
    KtBenchReport("vf_disabled_check (per site call)", KBV_ROUNDS, with > without ? with - without : 0);
    if (hits)
        DbgPrint("BENCH-INFO vf: a disarmed check fired %llu times\n", hits);
}

/* The bare VfSiteArmed test the cancel, delay and pending hooks make (IopSendAndWait, every
 * work item, every DPC routine, IoCallDriver), against the same loop without it. */
KBENCH_DEFINE(vf_disabled_hook)
{
    ULONG64 hits = 0;
    VfReset();
    ULONG64 t0 = __rdtsc();
    for (ULONG64 i = 0; i < KBV_ROUNDS; i++)
        __asm__ volatile("" : "+r"(hits) : "r"(i) : "memory");
    ULONG64 t1 = __rdtsc();
    for (ULONG64 i = 0; i < KBV_ROUNDS; i++) {
        if (VfSiteArmed(VfSiteDelayDpc))
            hits++;
        __asm__ volatile("" : "+r"(hits) : "r"(i) : "memory");
    }
    ULONG64 t2 = __rdtsc();
    ULONG64 with = t2 - t1, without = t1 - t0;
    KtBenchReport("vf_disabled_hook (cancel/delay/pending)", KBV_ROUNDS, with > without ? with - without : 0);
    if (hits)
        DbgPrint("BENCH-INFO vf: a disarmed hook fired %llu times\n", hits);
}
