/* tests/ktspin.h - bounded waits for another processor in the multiprocessor tests: a wait
 * gives up only when enough PAUSE turns AND enough TSC time have both gone by. */
#pragma once
#include "../kernel/hal/hal.h"

/* Multiprocessor boots run round-robin TCG on one host thread (not under -icount: see
 * smp_argv in tools/ktest.py), so the TSC follows host time, and every PAUSE hands the host
 * thread to the next processor. A host stall moves the TSC without giving the other
 * processor a turn; a fast host gives many turns in little TSC time. Requiring both bounds
 * means neither a loaded nor an idle host can end a wait that the other processor would
 * have satisfied: the result depends on the guest alone. */
#define KT_SPIN_TURNS 2000000ULL

#define KT_SPIN_UNTIL(Cond, Ms)                                                               \
    ({                                                                                        \
        ULONG64 _kt_end = __rdtsc() + HalTscPerSecond / 1000 * (Ms), _kt_turns = 0;           \
        while (!(Cond) && (++_kt_turns < KT_SPIN_TURNS || __rdtsc() < _kt_end))               \
            _mm_pause();                                                                      \
        (BOOLEAN)(Cond);                                                                      \
    })
