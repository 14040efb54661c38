/* rtl/dbgprint.c - DbgPrint: format into a stack buffer, then write the line to serial and
 * VGA with interrupts held off, so lines from ISRs and threads never interleave. */
#include <ntddk.h>
#include <stdarg.h>
#include "../hal/hal.h"
#include "../ke/ki.h"

int RtlpFormat(char *buf, size_t size, const char *fmt, va_list ap);

/* The processor printing a line, or -1: lines from several processors never interleave. */
static volatile LONG KipConsoleOwner = -1;
#define KIP_CONSOLE_NESTED (1ULL << 63) /* this processor already held it: do not release */

/* IRQL: any. Interrupts are disabled rather than IRQL raised, so printing never changes
 * the IRQL that tests observe. A processor that faults while printing keeps the lock. */
ULONG64 KiAcquireConsole(void)
{
    ULONG64 flags = __readeflags();
    LONG me = (LONG)KeGetCurrentPrcb()->Number, expected;
    _disable();
    if (__atomic_load_n(&KipConsoleOwner, __ATOMIC_RELAXED) == me)
        return flags | KIP_CONSOLE_NESTED;
    do {
        expected = -1;
        while (__atomic_load_n(&KipConsoleOwner, __ATOMIC_RELAXED) != -1) {
            if (KeGetCurrentPrcb()->IpiRequests)
                KiIpiPoll(); /* the printer may be waiting for this processor's TLB flush */
            _mm_pause();
        }
    } while (!__atomic_compare_exchange_n(&KipConsoleOwner, &expected, me, FALSE, __ATOMIC_ACQUIRE,
                                          __ATOMIC_RELAXED));
    return flags;
}

VOID KiReleaseConsole(ULONG64 Flags)
{
    if (!(Flags & KIP_CONSOLE_NESTED))
        __atomic_store_n(&KipConsoleOwner, -1, __ATOMIC_RELEASE);
    if (Flags & 0x200)
        _enable();
}

/* IRQL: HIGH_LEVEL, bug check only: the other processors are frozen, perhaps mid-line. */
VOID KiBreakConsoleLock(void) { __atomic_store_n(&KipConsoleOwner, -1, __ATOMIC_RELEASE); }

/* IRQL: any. */
ULONG DbgPrint(PCSTR Format, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, Format);
    int n = RtlpFormat(buf, sizeof(buf), Format, ap);
    va_end(ap);
    if (n > (int)sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    ULONG64 f = KiAcquireConsole();
    HalDisplayString(buf, (SIZE_T)n);
    KiReleaseConsole(f);
    return 0;
}

/* IRQL: any. A failed ASSERT is a bug check, as on a checked Windows build without a
 * debugger attached. */
VOID RtlAssert(PCSTR Assertion, PCSTR File, ULONG Line, PCSTR Message)
{
    DbgPrint("*** Assertion failed: %s%s%s\n***   Source File: %s, line %u\n", Assertion,
             Message ? " " : "", Message ? Message : "", File, Line);
    KeBugCheckEx(KERNEL_SECURITY_CHECK_FAILURE, 0xA55E, (ULONG_PTR)File, Line, 0);
}

/* IRQL: any. Windows' default filter passes the error level only; `dbgprint=all` passes all. */
ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    char buf[512];
    va_list ap;
    UNREFERENCED_PARAMETER(ComponentId);
    BOOLEAN error = (Level & DPFLTR_MASK) ? (Level & 1) != 0 : Level == DPFLTR_ERROR_LEVEL;
    if (!error && !KiBootOptionHasWord("dbgprint", "all"))
        return 0;
    va_start(ap, Format);
    int n = RtlpFormat(buf, sizeof(buf), Format, ap);
    va_end(ap);
    if (n > (int)sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    ULONG64 f = KiAcquireConsole();
    HalDisplayString(buf, (SIZE_T)n);
    KiReleaseConsole(f);
    return 0;
}

/* IRQL: any. The trap path decides what the int3 does (kernel/ke/trap.c). */
__attribute__((naked, noinline)) VOID DbgBreakPoint(void) { __asm__ volatile("int3\n\tret"); }
