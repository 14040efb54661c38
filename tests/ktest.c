/* tests/ktest.c - runs the registered tests the kernel command line selects and prints
 * KTAP; "ktest=list" prints the catalogue the host runner plans its boots from. */
#include "ktest.h"
#include "ktstate.h"
#include "../kernel/ke/ki.h"
#include "../kernel/hal/hal.h"
#include <stdarg.h>

extern const KTEST __ktests_start[], __ktests_end[];
extern const KBENCH __kbench_start[], __kbench_end[];
int RtlpFormat(char *buf, size_t size, const char *fmt, va_list ap);

BOOLEAN KtFailed;
static ULONG KtpFailures;
static const KTEST *KtpCurrent;

/* The machine as it was when each running test started (a test may run another through
 * KtRunIsolated, hence a small stack), and the thread the test runs in. */
#define KTP_MAX_DEPTH 3
static KT_MACHINE_STATE KtpStates[KTP_MAX_DEPTH];
static ULONG KtpDepth;
static PKTHREAD KtpTestThread;

VOID KtFail(PCSTR File, ULONG Line, PCSTR Format, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, Format);
    RtlpFormat(msg, sizeof(msg), Format, ap);
    va_end(ap);
    DbgPrint("# ASSERTION FAILED at %s:%u: %s\n", File, Line, msg);
    KtFailed = TRUE;
    /* The failing test returns now, so what it registered from its own stack (timers,
     * interrupt objects, routing) is unlinked while that frame is still intact. From an ISR,
     * a DPC or another thread this waits for the test to return. */
    if (KtpDepth && KeGetCurrentThread() == KtpTestThread && KeGetCurrentIrql() <= DISPATCH_LEVEL &&
        !KeIsExecutingDpc())
        KtRestoreMachineState(&KtpStates[KtpDepth - 1], FALSE);
}

VOID KtExpectBugCheck(ULONG64 P1, ULONG64 P2, ULONG64 P3, ULONG64 P4)
{
    ULONG64 p[4] = { P1, P2, P3, P4 };
    char line[160];
    int n = RtlpFormatString(line, sizeof(line), "EXPECT-BUGCHECK 0x%x",
                               KtpCurrent ? KtpCurrent->ExpectedBugCheck : 0);
    for (int i = 0; i < 4; i++)
        n += p[i] == KT_ANY ? RtlpFormatString(line + n, sizeof(line) - n, " *")
                            : RtlpFormatString(line + n, sizeof(line) - n, " 0x%llx", p[i]);
    DbgPrint("%s\n", line);
}

static BOOLEAN KtpWordMatch(PCSTR Value, PCSTR Word)
{
    SIZE_T n = strlen(Word);
    return strncmp(Value, Word, n) == 0 && (Value[n] == ' ' || Value[n] == 0);
}

/* Boot-option check (ke/bootopts.c): ktest= names something that exists. Bare "ktest" runs all. */
BOOLEAN KtIsValidSelection(PCSTR Value)
{
    char full[96];
    if (!Value || KtpWordMatch(Value, "list") || KtpWordMatch(Value, "all"))
        return TRUE;
    for (const KTEST *t = __ktests_start; t < __ktests_end; t++) {
        RtlStringCbPrintfA(full, sizeof(full), "%s.%s", t->Suite, t->Name);
        if (KtpWordMatch(Value, t->Suite) || KtpWordMatch(Value, full))
            return TRUE;
    }
    return FALSE;
}

/* Boot-option check: kbench alone or kbench=all runs every benchmark, kbench=NAME one. */
BOOLEAN KtIsValidBenchSelection(PCSTR Value)
{
    if (!Value || KtpWordMatch(Value, "all"))
        return TRUE;
    for (const KBENCH *b = __kbench_start; b < __kbench_end; b++)
        if (KtpWordMatch(Value, b->Name))
            return TRUE;
    return FALSE;
}

static BOOLEAN KtpSelected(const KTEST *t, PCSTR Sel, BOOLEAN *Single)
{
    char full[96];
    RtlpFormatString(full, sizeof(full), "%s.%s", t->Suite, t->Name);
    if (KtpWordMatch(Sel, full)) {
        *Single = TRUE;
        return TRUE;
    }
    *Single = FALSE;
    /* bug-check tests and tests with boot options of their own get a boot to themselves */
    return t->ExpectedBugCheck == 0 && !t->BootOptions && (KtpWordMatch(Sel, t->Suite) || KtpWordMatch(Sel, "all"));
}

/* Runs one test with the machine saved before and put back after; TRUE if it passed. A test
 * that leaves IRQL raised, interrupts off or a line routed fails, and the next starts clean. */
static BOOLEAN KtpExecute(const KTEST *t)
{
    const KTEST *outer = KtpCurrent;
    BOOLEAN outerFailed = KtFailed;
    KT_MACHINE_STATE *state = &KtpStates[KtpDepth];
    if (KtpDepth == KTP_MAX_DEPTH)
        return FALSE;
    KtSaveMachineState(state);
    KtpDepth++;
    KtpTestThread = KeGetCurrentThread();
    KtpCurrent = t;
    KtFailed = FALSE;
    /* Tests written for one processor's interleavings (a lower-priority thread waits for
     * "the" processor) run on processor 0 with the threads they start (KtStartThread); the
     * system's own threads, DPCs and interrupts still use every processor. The smp* suites
     * run free and bind themselves where they mean to. */
    BOOLEAN bound = strncmp(t->Suite, "smp", 3) != 0;
    if (bound)
        KeSetSystemAffinityThreadEx(1);
    t->Routine();
    if (bound)
        KeRevertToUserAffinityThreadEx(0);
    if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
        DbgPrint("# test returned at IRQL %u, not PASSIVE_LEVEL\n", KeGetCurrentIrql());
        KtFailed = TRUE;
    }
    if (!KiInterruptsEnabled()) {
        DbgPrint("# test returned with interrupts disabled\n");
        KtFailed = TRUE;
    }
    if (KtRestoreMachineState(state, TRUE) && !KtFailed) {
        DbgPrint("# test passed its assertions but left the machine changed (above)\n");
        KtFailed = TRUE;
    }
    KtpDepth--;
    if (t->ExpectedBugCheck) {
        DbgPrint("# expected bug check 0x%x did not happen\n", t->ExpectedBugCheck);
        KtFailed = TRUE;
    }
    BOOLEAN passed = !KtFailed;
    KtpCurrent = outer;
    KtFailed = outerFailed;
    return passed;
}

/* IRQL: PASSIVE_LEVEL. Runs Test (a descriptor outside the catalogue) as the framework runs
 * any test, machine restore included, without reporting it; TRUE if it passed. For tests of
 * the framework itself. */
BOOLEAN KtRunIsolated(const KTEST *Test) { return KtpExecute(Test); }

static VOID KtpRun(const KTEST *t, ULONG Number)
{
    DbgPrint("# RUN %s.%s\n", t->Suite, t->Name);
    BOOLEAN passed = KtpExecute(t);
    DbgPrint("%s %u %s.%s\n", passed ? "ok" : "not ok", Number, t->Suite, t->Name);
    if (!passed)
        KtpFailures++;
}

VOID KtBenchReport(PCSTR Name, ULONG64 Operations, ULONG64 Ticks)
{
    DbgPrint("BENCH %s %llu %llu\n", Name, Operations, Ticks);
}

static VOID KtpRunBench(PCSTR Sel)
{
    DbgPrint("BENCH-TSC-HZ %llu\n", HalTscPerSecond);
    for (const KBENCH *b = __kbench_start; b < __kbench_end; b++)
        if (KtpWordMatch(Sel, "all") || KtpWordMatch(Sel, b->Name))
            b->Routine();
    DbgPrint("BENCH-DONE\n");
}

/* Entered from KiSystemStartup at PASSIVE_LEVEL with interrupts on. */
VOID ExpRun(PCSTR Options);
VOID KtMain(void)
{
    PCSTR sel = KiGetBootOption("ktest");
    BOOLEAN single;
    ULONG count = 0;

    if (KiBootOptionPresent("experiment")) { /* tests/experiment: a campaign's boot */
        ExpRun(KiGetBootOption("experiment") ? KiGetBootOption("experiment") : "");
        HalExitEmulator(HAL_EXIT_SUCCESS);
    }
    if (KiBootOptionPresent("kbench")) {
        KtpRunBench(KiGetBootOption("kbench") ? KiGetBootOption("kbench") : "all");
        HalExitEmulator(HAL_EXIT_SUCCESS);
    }
    if (!sel)
        sel = "all";
    if (KtpWordMatch(sel, "list")) {
        for (const KTEST *t = __ktests_start; t < __ktests_end; t++)
            DbgPrint("TEST %s.%s 0x%x %s\n", t->Suite, t->Name, t->ExpectedBugCheck,
                     t->BootOptions ? t->BootOptions : "-");
        DbgPrint("TEST-LIST-END\n");
        HalExitEmulator(HAL_EXIT_SUCCESS);
    }
    for (const KTEST *t = __ktests_start; t < __ktests_end; t++)
        if (KtpSelected(t, sel, &single))
            count++;
    DbgPrint("KTAP version 1\n1..%u\n", count);
    ULONG n = 0;
    for (const KTEST *t = __ktests_start; t < __ktests_end; t++)
        if (KtpSelected(t, sel, &single))
            KtpRun(t, ++n);
    DbgPrint("# KTEST-DONE %u tests, %u failed, %llu ms of guest time since boot\n", n, KtpFailures,
             KeQueryInterruptTime() / 10000);
    HalExitEmulator(KtpFailures ? HAL_EXIT_FAILURE : HAL_EXIT_SUCCESS);
}

VOID KtBusyWaitMs(ULONG Milliseconds) { KeStallExecutionProcessor(Milliseconds * 1000); }
