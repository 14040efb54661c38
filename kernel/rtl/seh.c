/* rtl/seh.c - the frames behind wdm/seh.h's __try: a per-thread list, raising (ExRaiseStatus,
 * the probes) and the trap path's entry (KiDispatchSehException), which resumes at a handler. */
#include "../ke/ki.h"
#include "../ke/kthread.h"

#define RTLP_SEH_EXCEPT 1
#define RTLP_SEH_FINALLY 2

static ULONG RtlpNesting(void) { return KeGetCurrentPrcb()->InterruptNesting; }

/* The innermost frame that belongs to the code running now (same thread, same interrupt
 * nesting), or NULL. */
static PRTL_SEH_FRAME RtlpTopFrame(void)
{
    PKTHREAD t = KeGetCurrentThread();
    PRTL_SEH_FRAME f = t ? t->ExceptionList : NULL;
    return (f && f->Nesting == RtlpNesting()) ? f : NULL;
}

static VOID RtlpPop(PRTL_SEH_FRAME Frame)
{
    if (!Frame->Pushed)
        return;
    PKTHREAD t = KeGetCurrentThread();
    t->ExceptionList = Frame->Next;
    Frame->Pushed = FALSE;
}

/* The for loop of __try: first call pushes the frame and runs the body (Pass 1); the second
 * pops it and runs one more pass for the __finally block (Pass 2); after a __finally block
 * that ran for an exception, the exception goes on to the next frame. */
BOOLEAN RtlpSehNext(PRTL_SEH_FRAME Frame)
{
    PKTHREAD t = KeGetCurrentThread();
    switch (Frame->Pass) {
    case 0:
        Frame->Next = t->ExceptionList;
        Frame->Nesting = RtlpNesting();
        Frame->Abnormal = FALSE;
        Frame->Kind = 0;
        Frame->Pushed = TRUE;
        t->ExceptionList = Frame;
        Frame->Pass = 1;
        return TRUE;
    case 1:
        RtlpPop(Frame);
        if (Frame->Abnormal && Frame->Kind == RTLP_SEH_FINALLY)
            ExRaiseStatus(Frame->Code); /* the unwind goes on to the next handler */
        Frame->Pass = 2;
        return !Frame->Abnormal && Frame->Kind != RTLP_SEH_EXCEPT;
    default:
        return FALSE;
    }
}

/* The __except condition, evaluated only after an exception. */
BOOLEAN RtlpSehFilter(PRTL_SEH_FRAME Frame, LONG Disposition)
{
    Frame->Kind = RTLP_SEH_EXCEPT;
    if (Disposition == EXCEPTION_CONTINUE_SEARCH)
        ExRaiseStatus(Frame->Code);
    if (Disposition != EXCEPTION_EXECUTE_HANDLER)
        KeBugCheckEx(BUGPARAMS_1E(STATUS_INVALID_DISPOSITION, Frame->Address, Disposition, 0));
    Frame->Abnormal = FALSE;
    return TRUE;
}

/* The __finally condition: after the body finished (Pass 2) or after an exception. */
BOOLEAN RtlpSehFinally(PRTL_SEH_FRAME Frame)
{
    Frame->Kind = RTLP_SEH_FINALLY;
    return Frame->Pass == 2 || Frame->Abnormal;
}

/* Scope exit of the frame variable (return or goto out of a __try body). */
VOID RtlpSehCleanup(PRTL_SEH_FRAME Frame)
{
    if (Frame->Pushed)
        RtlpPop(Frame);
}

/* Hands the exception to Frame: it is popped, remembers the code, and its __try resumes. */
static PRTL_SEH_FRAME RtlpClaim(NTSTATUS Code, ULONG_PTR Address)
{
    PRTL_SEH_FRAME f = RtlpTopFrame();
    if (!f)
        return NULL;
    RtlpPop(f);
    f->Code = Code;
    f->Address = Address;
    f->Abnormal = TRUE;
    return f;
}

static DECLSPEC_NORETURN __attribute__((noinline)) VOID RtlpResume(PRTL_SEH_FRAME Frame)
{
    __builtin_longjmp(Frame->JumpBuffer, 1);
}

/* IRQL: any. */
VOID ExRaiseStatus(NTSTATUS Status)
{
    ULONG_PTR at = (ULONG_PTR)__builtin_return_address(0);
    PRTL_SEH_FRAME f = RtlpClaim(Status, at);
    if (!f)
        KeBugCheckEx(BUGPARAMS_1E(Status, at, 0, 0));
    RtlpResume(f);
}

VOID ExRaiseAccessViolation(void) { ExRaiseStatus(STATUS_ACCESS_VIOLATION); }
VOID ExRaiseDatatypeMisalignment(void) { ExRaiseStatus(STATUS_DATATYPE_MISALIGNMENT); }

/* From the trap path, interrupts off: if a __try of the faulting code is active, leave the
 * trap through RtlpResume (iretq restores the faulting flags and stack, then the jump goes
 * to the __try) and return TRUE. */
BOOLEAN KiDispatchSehException(PKTRAP_FRAME TrapFrame, NTSTATUS Code)
{
    PRTL_SEH_FRAME f = RtlpClaim(Code, TrapFrame->Rip);
    if (!f)
        return FALSE;
    TrapFrame->Rdi = (ULONG64)f;
    TrapFrame->Rip = (ULONG64)RtlpResume;
    TrapFrame->Rsp &= ~0xFULL; /* RtlpResume starts as if called: aligned, return slot below */
    TrapFrame->Rsp -= 8;
    return TRUE;
}

static VOID RtlpProbeRange(const volatile VOID *Address, SIZE_T Length, ULONG Alignment)
{
    ULONG_PTR a = (ULONG_PTR)Address;
    if (Alignment && (a & (Alignment - 1)))
        ExRaiseStatus(STATUS_DATATYPE_MISALIGNMENT);
    if (a + Length < a || a + Length > MM_USER_PROBE_ADDRESS)
        ExRaiseStatus(STATUS_ACCESS_VIOLATION);
}

/* IRQL <= APC_LEVEL (rule IrqlExApcLte2). */
VOID ProbeForRead(const volatile VOID *Address, SIZE_T Length, ULONG Alignment)
{
    VF_DDI_CHECK(ProbeForRead);
    if (Length)
        RtlpProbeRange(Address, Length, Alignment);
}

/* IRQL <= APC_LEVEL (rule IrqlExApcLte2). Touches one byte per page, so an unmapped page
 * raises STATUS_ACCESS_VIOLATION here, through the trap path. */
VOID ProbeForWrite(volatile VOID *Address, SIZE_T Length, ULONG Alignment)
{
    VF_DDI_CHECK(ProbeForWrite);
    if (!Length)
        return;
    RtlpProbeRange(Address, Length, Alignment);
    volatile UCHAR *p = (volatile UCHAR *)Address, *end = p + Length;
    for (; p < end; p = (volatile UCHAR *)(((ULONG_PTR)p & ~(ULONG_PTR)(PAGE_SIZE - 1)) + PAGE_SIZE))
        *p = *p;
}
