/* wdm/seh.h - structured exception handling for C drivers built with GCC: __try / __except /
 * __finally / __leave as macros over setjmp-style frames kept per thread (kernel/rtl/seh.c).
 *
 * A CPU exception inside __try (an access violation, a breakpoint, a divide error) reaches the
 * innermost handler of the same thread and interrupt level through the trap path; so does
 * ExRaiseStatus and what ProbeForRead/ProbeForWrite raise. Limits (what MSVC does and these
 * macros do not):
 *  - EXCEPTION_CONTINUE_EXECUTION is not supported (the faulting frame is gone by the time the
 *    filter runs); a filter that returns it bug-checks 0x1E with STATUS_INVALID_DISPOSITION.
 *  - The filter runs after the stack was unwound to the __try, not on top of the fault.
 *  - `return`, `break` or `goto` out of a __try body leaves the frame correctly (a cleanup
 *    attribute pops it) but does not run a __finally block; __leave does.
 *  - break / continue inside a __try body refer to the __try itself, not an enclosing loop.
 *  - Locals changed inside __try and read in the handler must be volatile, as with setjmp.
 *  - A page fault on a kernel address that is not mapped is still a bug check (0x50), as on
 *    Windows; what SEH catches is what Windows raises as an exception. */
#pragma once
#include <ntdef.h>

typedef struct _RTL_SEH_FRAME {
    struct _RTL_SEH_FRAME *Next;
    void *JumpBuffer[5];
    NTSTATUS Code;      /* GetExceptionCode() */
    ULONG_PTR Address;  /* where the exception was raised */
    ULONG Nesting;      /* interrupt nesting at __try: a fault in an ISR does not reach it */
    UCHAR Pass, Abnormal, Pushed, Kind;
} RTL_SEH_FRAME, *PRTL_SEH_FRAME;

#define EXCEPTION_EXECUTE_HANDLER 1
#define EXCEPTION_CONTINUE_SEARCH 0
#define EXCEPTION_CONTINUE_EXECUTION (-1)

BOOLEAN RtlpSehNext(PRTL_SEH_FRAME Frame);
BOOLEAN RtlpSehFilter(PRTL_SEH_FRAME Frame, LONG Disposition);
BOOLEAN RtlpSehFinally(PRTL_SEH_FRAME Frame);
VOID RtlpSehCleanup(PRTL_SEH_FRAME Frame);

#define __try                                                                                 \
    for (RTL_SEH_FRAME _SehFrame __attribute__((cleanup(RtlpSehCleanup))) = { .Pass = 0 };  \
         RtlpSehNext(&_SehFrame);)                                                            \
        if (_SehFrame.Pass == 1 && __builtin_setjmp(_SehFrame.JumpBuffer) == 0)
#define __except(...) else if (_SehFrame.Abnormal && RtlpSehFilter(&_SehFrame, (LONG)(__VA_ARGS__)))
#define __finally else if (RtlpSehFinally(&_SehFrame))
#define __leave continue
#define GetExceptionCode() (_SehFrame.Code)
#define _exception_code() GetExceptionCode()
#define AbnormalTermination() (_SehFrame.Abnormal)

/* Raise Status as a software exception: the innermost handler gets it; without one, the stop
 * is KMODE_EXCEPTION_NOT_HANDLED (0x1E) with P1 = Status. IRQL: any. */
DECLSPEC_NORETURN VOID ExRaiseStatus(NTSTATUS Status);
#define RtlRaiseStatus ExRaiseStatus
DECLSPEC_NORETURN VOID ExRaiseAccessViolation(void);
DECLSPEC_NORETURN VOID ExRaiseDatatypeMisalignment(void);

/* User-mode buffers. Addresses at or above MM_USER_PROBE_ADDRESS are not user addresses.
 * ProbeForRead/ProbeForWrite raise STATUS_DATATYPE_MISALIGNMENT when Address is not a
 * multiple of Alignment (1, 2, 4, 8 or 16) and STATUS_ACCESS_VIOLATION when the range wraps
 * or reaches MM_USER_PROBE_ADDRESS; a zero Length is always fine. ProbeForWrite also touches
 * one byte per page. Call both under __try. IRQL <= APC_LEVEL. */
#define MM_USER_PROBE_ADDRESS 0x00007FFFFFFF0000ULL
#define MM_HIGHEST_USER_ADDRESS ((PVOID)0x00007FFFFFFEFFFFULL)
#define MmUserProbeAddress MM_USER_PROBE_ADDRESS
#define MmHighestUserAddress MM_HIGHEST_USER_ADDRESS
VOID ProbeForRead(const volatile VOID *Address, SIZE_T Length, ULONG Alignment);
VOID ProbeForWrite(volatile VOID *Address, SIZE_T Length, ULONG Alignment);
