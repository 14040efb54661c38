/* tests/rtl/seh_tests.c - __try/__except/__finally over the kernel's trap path: raised
 * statuses, real access violations and breakpoints reach the handler; probes raise. */
#include "../ktest.h"
#include "../../kernel/ke/ki.h"
#include "../../kernel/ke/kthread.h"

#define KTP_BAD_USER_ADDRESS ((volatile ULONG *)0x1000) /* user range, never mapped */
extern volatile ULONG KdBreakPointCount;

static __attribute__((noinline)) VOID KtpRaise(NTSTATUS s) { ExRaiseStatus(s); }

KTEST(seh, raise_status_reaches_the_innermost_handler_with_its_code)
{
    volatile NTSTATUS got = 0;
    volatile ULONG after = 0;
    __try {
        KtpRaise(STATUS_INSUFFICIENT_RESOURCES);
        after = 1;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        got = GetExceptionCode();
    }
    KT_EQ(after, 0);
    KT_STATUS(got, STATUS_INSUFFICIENT_RESOURCES);
    KT_ASSERT(KeGetCurrentThread()->ExceptionList == NULL);
}

KTEST(seh, access_violation_reaches_the_handler_through_the_trap_path)
{
    volatile NTSTATUS got = 0;
    volatile ULONG v = 0;
    __try {
        v = *KTP_BAD_USER_ADDRESS; /* a real #PF */
    } __except (GetExceptionCode() == STATUS_ACCESS_VIOLATION ? EXCEPTION_EXECUTE_HANDLER
                                                                : EXCEPTION_CONTINUE_SEARCH) {
        got = GetExceptionCode();
    }
    KT_EQ(v, 0);
    KT_STATUS(got, STATUS_ACCESS_VIOLATION);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_ASSERT(__readeflags() & 0x200); /* the trap's interrupt flag came back with iretq */
}

KTEST(seh, breakpoint_without_a_debugger_reaches_a_handler_as_status_breakpoint)
{
    volatile NTSTATUS got = 0;
    __try {
        DbgBreakPoint();
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        got = GetExceptionCode();
    }
    KT_STATUS(got, STATUS_BREAKPOINT);
}

KTEST(seh, finally_runs_after_the_body_and_after_leave)
{
    volatile ULONG finallies = 0, tail = 0;
    __try {
        tail = 1;
    } __finally {
        finallies++;
    }
    __try {
        __leave;
        tail = 2;
    } __finally {
        finallies++;
    }
    KT_EQ(finallies, 2);
    KT_EQ(tail, 1);
}

KTEST(seh, finally_runs_during_an_exception_then_the_outer_handler_gets_it)
{
    volatile ULONG order = 0;
    volatile NTSTATUS got = 0;
    __try {
        __try {
            KtpRaise(STATUS_DEVICE_BUSY);
        } __finally {
            order = order * 10 + 1;
            KT_ASSERT(AbnormalTermination());
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        order = order * 10 + 2;
        got = GetExceptionCode();
    }
    KT_EQ(order, 12);
    KT_STATUS(got, STATUS_DEVICE_BUSY);
}

KTEST(seh, continue_search_passes_the_exception_to_the_outer_handler)
{
    volatile ULONG inner = 0, outer = 0;
    __try {
        __try {
            KtpRaise(STATUS_UNSUCCESSFUL);
        } __except (inner++, EXCEPTION_CONTINUE_SEARCH) {
            inner = 100;
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        outer = GetExceptionCode() == STATUS_UNSUCCESSFUL;
    }
    KT_EQ(inner, 1);
    KT_EQ(outer, 1);
}

static __attribute__((noinline)) ULONG KtpReturnFromTry(void)
{
    __try {
        return 7;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return 8;
    }
    return 9;
}

KTEST(seh, return_from_inside_try_leaves_no_frame_behind)
{
    KT_EQ(KtpReturnFromTry(), 7);
    KT_ASSERT(KeGetCurrentThread()->ExceptionList == NULL);
    volatile NTSTATUS got = 0;
    __try {
        KtpRaise(STATUS_CANCELLED);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        got = GetExceptionCode();
    }
    KT_STATUS(got, STATUS_CANCELLED);
}

static NTSTATUS KtpProbe(BOOLEAN Write, PVOID Address, SIZE_T Length, ULONG Alignment)
{
    volatile NTSTATUS st = STATUS_SUCCESS;
    __try {
        if (Write)
            ProbeForWrite(Address, Length, Alignment);
        else
            ProbeForRead(Address, Length, Alignment);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        st = GetExceptionCode();
    }
    return st;
}

KTEST(seh, probes_raise_what_windows_raises)
{
    static ULONG kernelBuffer[4];
    /* a kernel address is not a user buffer */
    KT_STATUS(KtpProbe(FALSE, kernelBuffer, sizeof(kernelBuffer), 4), STATUS_ACCESS_VIOLATION);
    KT_STATUS(KtpProbe(TRUE, kernelBuffer, sizeof(kernelBuffer), 4), STATUS_ACCESS_VIOLATION);
    /* misalignment is checked first */
    KT_STATUS(KtpProbe(FALSE, (PVOID)0x2002, 8, 4), STATUS_DATATYPE_MISALIGNMENT);
    /* a range that wraps */
    KT_STATUS(KtpProbe(FALSE, (PVOID)0x2000, ~(SIZE_T)0, 1), STATUS_ACCESS_VIOLATION);
    /* zero length is always fine, even for a kernel address */
    KT_STATUS(KtpProbe(FALSE, kernelBuffer, 0, 4), STATUS_SUCCESS);
    /* a user-range address passes ProbeForRead (it only checks the range) */
    KT_STATUS(KtpProbe(FALSE, (PVOID)KTP_BAD_USER_ADDRESS, 16, 4), STATUS_SUCCESS);
    /* ProbeForWrite touches the page: the unmapped one faults, through the trap path */
    KT_STATUS(KtpProbe(TRUE, (PVOID)KTP_BAD_USER_ADDRESS, 16, 4), STATUS_ACCESS_VIOLATION);
}

KTEST_BUGCHECK(seh, raise_status_without_a_handler_is_kmode_exception_not_handled, KMODE_EXCEPTION_NOT_HANDLED)
{
    KtExpectBugCheck((ULONG)STATUS_DEVICE_BUSY, KT_ANY, 0, 0);
    KtpRaise(STATUS_DEVICE_BUSY);
}

KTEST_BUGCHECK(seh, breakpoint_without_debugger_or_handler_is_1e_80000003, KMODE_EXCEPTION_NOT_HANDLED)
{
    /* P2 is the address of the break instruction: DbgBreakPoint's first byte */
    KtExpectBugCheck(0x80000003, (ULONG_PTR)DbgBreakPoint, 0, 0);
    DbgBreakPoint();
}

KTEST_EX(seh, breakpoint_with_kd_stops_in_the_debugger_hook_and_continues, 0, "kd")
{
    ULONG before = KdBreakPointCount;
    DbgBreakPoint();
    KT_EQ(KdBreakPointCount, before + 1);
}
