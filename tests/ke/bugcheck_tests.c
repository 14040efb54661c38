/* tests/ke/bugcheck_tests.c - CPU exceptions and explicit stops end in a bug check with
 * Windows' code and parameters, a register dump and a symbolized backtrace. */
#include "../ktest.h"
#include "../../kernel/ke/ki.h"

KTEST(bugcheck, symbols_resolve_to_function_names)
{
    ULONG64 off;
    PCSTR n = KiLookupSymbol((ULONG64)KeLowerIrql + 3, &off);
    KT_ASSERT(n != NULL);
    KT_ASSERT(strcmp(n, "KeLowerIrql") == 0);
    KT_EQ(off, 3);
    KT_ASSERT(strcmp(KiBugCheckName(0xD1), "DRIVER_IRQL_NOT_LESS_OR_EQUAL") == 0);
}

KTEST_BUGCHECK(bugcheck, explicit_bugcheck_reports_its_parameters, MANUALLY_INITIATED_CRASH)
{
    KtExpectBugCheck(1, 2, 3, 0xFFFFFFFFFFFFFFFFULL);
    KeBugCheckEx(MANUALLY_INITIATED_CRASH, 1, 2, 3, ~0ULL);
}

static volatile ULONG_PTR KtpNullAddress = 0x10;
KTEST_BUGCHECK(bugcheck, null_dereference_is_access_violation, KMODE_EXCEPTION_NOT_HANDLED)
{
    KtExpectBugCheck(0xC0000005, KT_ANY, 1, 0x10);
    *(volatile ULONG *)KtpNullAddress = 5;
}

static volatile int KtpZero;
KTEST_BUGCHECK(bugcheck, divide_by_zero, KMODE_EXCEPTION_NOT_HANDLED)
{
    KtExpectBugCheck(0xC0000094, KT_ANY, 0, 0);
    KtpZero = 10 / KtpZero;
}

KTEST_BUGCHECK(bugcheck, invalid_opcode, KMODE_EXCEPTION_NOT_HANDLED)
{
    KtExpectBugCheck(0xC000001D, KT_ANY, 0, 0);
    __asm__ volatile("ud2");
}

KTEST_BUGCHECK(bugcheck, breakpoint_without_debugger, KMODE_EXCEPTION_NOT_HANDLED)
{
    KtExpectBugCheck(0x80000003, KT_ANY, 0, 0);
    __asm__ volatile("int3");
}

KTEST_BUGCHECK(bugcheck, unmapped_touch_at_dispatch_is_irql_not_less_or_equal, IRQL_NOT_LESS_OR_EQUAL)
{
    KIRQL old;
    volatile ULONG *p = (volatile ULONG *)0xFFFFC00000001000ULL;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KtExpectBugCheck(0xFFFFC00000001000ULL, DISPATCH_LEVEL, 0, KT_ANY);
    (void)*p;
}

KTEST_BUGCHECK(bugcheck, general_protection_fault, KMODE_EXCEPTION_NOT_HANDLED)
{
    KtExpectBugCheck(0xC0000005, KT_ANY, 0, 0);
    volatile ULONG64 *p = (volatile ULONG64 *)0x8000000000000000ULL; /* non-canonical */
    (void)*p;
}
