/* ke/bugcheck.c - KeBugCheckEx: stop everything, print a Windows-style stop report with a
 * symbolized backtrace on serial and VGA, and leave QEMU with a status the runner knows. */
#include "ki.h"
#include "../hal/hal.h"

#define KIP_MAX_REPORTS 8
static PKI_BUGCHECK_CALLBACK KipReports[KIP_MAX_REPORTS];
static ULONG KipReportCount;
static volatile ULONG KipBugCheckDepth;
static volatile LONG KipBugCheckProcessor = -1; /* the processor that owns the stop */
static PCSTR KipCulpritDriver;
static PVOID KipCulpritRoutine;
/* Test-only: called inside the stop, after every processor froze (smpipi's freeze test). */
VOID (*KiBugCheckTestHook)(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4);

/* IRQL: any; at boot. Components add a section to every stop report (threads, pools...). */
VOID KiRegisterBugCheckReport(PKI_BUGCHECK_CALLBACK Callback)
{
    if (KipReportCount < KIP_MAX_REPORTS)
        KipReports[KipReportCount++] = Callback;
}

/* IRQL: any. Verifier checks name the driver and routine at fault before stopping. */
VOID KiSetBugCheckCulprit(PCSTR DriverName, PVOID Routine)
{
    KipCulpritDriver = DriverName;
    KipCulpritRoutine = Routine;
}

static BOOLEAN KipPlausibleFrame(ULONG64 Rbp)
{
    return Rbp >= HAL_DIRECT_MAP_BASE && (Rbp & 7) == 0;
}

VOID KiPrintBacktrace(ULONG64 Rbp, ULONG64 Rip)
{
    ULONG64 off;
    PCSTR name = KiLookupSymbol(Rip, &off);
    DbgPrint("Backtrace:\n  #0  %p %s+0x%llx\n", (PVOID)Rip, name ? name : "?", off);
    for (ULONG i = 1; i < 24 && KipPlausibleFrame(Rbp); i++) {
        ULONG64 ret = ((ULONG64 *)Rbp)[1];
        if (!ret)
            break;
        name = KiLookupSymbol(ret - 1, &off);
        DbgPrint("  #%u  %p %s+0x%llx\n", i, (PVOID)ret, name ? name : "?", off + 1);
        ULONG64 next = ((ULONG64 *)Rbp)[0];
        if (next <= Rbp)
            break;
        Rbp = next;
    }
}

static VOID KipDumpRegisters(PKTRAP_FRAME f)
{
    DbgPrint("Trap frame: vector 0x%llx error 0x%llx cr2 %p\n", f->Vector, f->ErrorCode, (PVOID)__readcr2());
    DbgPrint("rip %p rsp %p rflags %llx\n", (PVOID)f->Rip, (PVOID)f->Rsp, f->EFlags);
    DbgPrint("rax %p rbx %p rcx %p rdx %p\n", (PVOID)f->Rax, (PVOID)f->Rbx, (PVOID)f->Rcx, (PVOID)f->Rdx);
    DbgPrint("rsi %p rdi %p rbp %p r8  %p\n", (PVOID)f->Rsi, (PVOID)f->Rdi, (PVOID)f->Rbp, (PVOID)f->R8);
    DbgPrint("r9  %p r10 %p r11 %p r12 %p\n", (PVOID)f->R9, (PVOID)f->R10, (PVOID)f->R11, (PVOID)f->R12);
    DbgPrint("r13 %p r14 %p r15 %p\n", (PVOID)f->R13, (PVOID)f->R14, (PVOID)f->R15);
}

static DECLSPEC_NORETURN VOID KipBugCheck(PKTRAP_FRAME Frame, ULONG Code, ULONG_PTR P1, ULONG_PTR P2,
                                         ULONG_PTR P3, ULONG_PTR P4)
{
    KIRQL irql = (KIRQL)__readcr8();
    LONG me = (LONG)KeGetCurrentPrcb()->Number, owner = -1;
    _disable();
    __writecr8(HIGH_LEVEL);
    /* One processor reports; one that bug-checks while another is already doing so stops
     * as if frozen (the NMI may not have reached it yet). */
    if (!__atomic_compare_exchange_n(&KipBugCheckProcessor, &owner, me, FALSE, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST) && owner != me)
        KiFreezeExecution(Frame);
    if (++KipBugCheckDepth > 1) {
        /* A fault while reporting: say so plainly and stop, never loop. */
        DbgPrint("\n*** nested bug check 0x%08x (%p, %p, %p, %p) while reporting\n", Code, (PVOID)P1,
                 (PVOID)P2, (PVOID)P3, (PVOID)P4);
        HalExitEmulator(HAL_EXIT_BUGCHECK);
    }
    KiFreezeOtherProcessors();
    DbgPrint("\n*** STOP: 0x%08x (0x%p, 0x%p, 0x%p, 0x%p)\n", Code, (PVOID)P1, (PVOID)P2, (PVOID)P3, (PVOID)P4);
    DbgPrint("%s\n", KiBugCheckName(Code));
    DbgPrint("BUGCHECK 0x%x 0x%llx 0x%llx 0x%llx 0x%llx\n", Code, (ULONG64)P1, (ULONG64)P2, (ULONG64)P3, (ULONG64)P4);
    DbgPrint("IRQL at bug check: %u\n", irql);
    if (KiActiveProcessorCount > 1)
        DbgPrint("Processor: %u\n", me);
    if (KipCulpritDriver || KipCulpritRoutine) {
        ULONG64 off = 0;
        PCSTR r = KipCulpritRoutine ? KiLookupSymbol((ULONG64)KipCulpritRoutine, &off) : NULL;
        DbgPrint("Culprit: driver %s, routine %s+0x%llx (%p)\n", KipCulpritDriver ? KipCulpritDriver : "?",
                 r ? r : "?", off, KipCulpritRoutine);
    }
    if (KiBugCheckTestHook)
        KiBugCheckTestHook(Code, P1, P2, P3, P4);
    if (Frame) {
        KipDumpRegisters(Frame);
        KiPrintBacktrace(Frame->Rbp, Frame->Rip);
    } else {
        KiPrintBacktrace(((ULONG64 *)KiReadFramePointer())[0], ((ULONG64 *)KiReadFramePointer())[1]);
    }
    KiReportFrozenProcessors();
    for (ULONG i = 0; i < KipReportCount; i++)
        KipReports[i]();
    DbgPrint("*** System halted.\n");
    HalExitEmulator(HAL_EXIT_BUGCHECK);
}

/* IRQL: any. Never returns. */
VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    KipBugCheck(NULL, BugCheckCode, P1, P2, P3, P4);
}

VOID KeBugCheck(ULONG BugCheckCode) { KipBugCheck(NULL, BugCheckCode, 0, 0, 0, 0); }

VOID KiBugCheckWithFrame(PKTRAP_FRAME Frame, ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    KipBugCheck(Frame, Code, P1, P2, P3, P4);
}
