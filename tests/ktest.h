/* tests/ktest.h - the in-kernel test framework: tests register themselves in a linker
 * section; a test may declare the bug check it must end in, and then runs alone. */
#pragma once
#include <ntddk.h>
#include <ntstrsafe.h>

typedef struct _KTEST {
    PCSTR Suite;
    PCSTR Name;
    VOID (*Routine)(void);
    ULONG ExpectedBugCheck; /* 0: the test must return normally */
    PCSTR BootOptions;      /* extra kernel options for its boot, or NULL */
} KTEST;

#define KTEST_EX(suite, name, code, opts)                                                   \
    static VOID Kt_##suite##_##name(void);                                                 \
    static const KTEST KtDesc_##suite##_##name                                             \
        __attribute__((used, section(".ktests"), aligned(8))) = { #suite, #name,           \
                                                                  Kt_##suite##_##name, code, opts }; \
    static VOID Kt_##suite##_##name(void)
#define KTEST(suite, name) KTEST_EX(suite, name, 0, NULL)
#define KTEST_BUGCHECK(suite, name, code) KTEST_EX(suite, name, code, NULL)

/* Benchmarks: each reports how many operations it timed and the TSC ticks they took; under
 * `-icount shift=0` a TSC tick is one guest instruction. */
typedef struct _KBENCH {
    PCSTR Name;
    VOID (*Routine)(void);
} KBENCH;
#define KBENCH_DEFINE(name)                                                                   \
    static VOID Kb_##name(void);                                                           \
    static const KBENCH KbDesc_##name __attribute__((used, section(".kbench"), aligned(8))) = { #name, Kb_##name }; \
    static VOID Kb_##name(void)
VOID KtBenchReport(PCSTR Name, ULONG64 Operations, ULONG64 Ticks);

VOID KtFail(PCSTR File, ULONG Line, PCSTR Format, ...) __attribute__((format(printf, 3, 4)));
extern BOOLEAN KtFailed;

#define KT_ASSERT(c)                                              \
    do {                                                          \
        if (!(c)) {                                               \
            KtFail(__FILE__, __LINE__, "%s", #c);                 \
            return;                                               \
        }                                                         \
    } while (0)
#define KT_EQ(a, b)                                                                          \
    do {                                                                                     \
        ULONG64 _a = (ULONG64)(a), _b = (ULONG64)(b);                                        \
        if (_a != _b) {                                                                      \
            KtFail(__FILE__, __LINE__, "%s == %s (0x%llx != 0x%llx)", #a, #b, _a, _b);       \
            return;                                                                          \
        }                                                                                    \
    } while (0)
#define KT_STATUS(a, b) KT_EQ((ULONG)(a), (ULONG)(b))

/* Declares the parameters the coming bug check must carry; KT_ANY matches anything. The
 * host runner compares this line with the stop report's BUGCHECK line. */
#define KT_ANY 0xA11A11A11A11A11AULL
VOID KtExpectBugCheck(ULONG64 P1, ULONG64 P2, ULONG64 P3, ULONG64 P4);

/* Busy-waits on the TSC; interrupts still arrive as the current IRQL allows. */
VOID KtBusyWaitMs(ULONG Milliseconds);

/* Runs a test descriptor that is not in the catalogue exactly as the framework runs a test
 * (machine saved before, put back after) without reporting it: TRUE if it passed. */
BOOLEAN KtRunIsolated(const KTEST *Test);
