/* ke/clock.c - the clock interrupt (LAPIC timer at CLOCK_LEVEL) and time queries.
 * The scheduler and timer code hook the tick; this file only keeps time. */
#include "ki.h"
#include "../hal/hal.h"

volatile ULONG64 KiTickCount;
ULONG KiClockHz = 1000;
VOID (*KiClockTickHook)(PKTRAP_FRAME TrapFrame);

VOID KiInitializeClock(void)
{
    KiClockHz = (ULONG)KiGetBootOptionNumber("hz", 1000);
    if (KiClockHz < 10 || KiClockHz > 10000)
        KiClockHz = 1000;
    KiInitializeDpcWatchdog(KiClockHz);
    KiInitializeDeadline();
    HalStartClock(KiClockHz);
}

/* Runs at CLOCK_LEVEL. Every tick looks at its processor's DPC queue, where DPCs other
 * processors queued without interrupting it wait, and charges the running thread's
 * quantum; the boot processor also keeps time. */
VOID KiClockInterrupt(PKTRAP_FRAME TrapFrame)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    if (prcb->DpcQueueDepth || prcb->ThreadedDpcDepth) /* deferred DPCs another processor queued here */
        HalRequestSoftwareInterrupt(DISPATCH_LEVEL);
    KiDpcWatchdogTick(TrapFrame); /* each processor's running DPC, on that processor's own clock */
    if (prcb->Number == 0) {
        KiTickCount++;
        KiDeadlineTick();
    }
    if (KiClockTickHook) /* every processor charges its own thread's quantum */
        KiClockTickHook(TrapFrame);
}

/* IRQL: any. */
VOID KeQueryTickCount(PLARGE_INTEGER CurrentCount) { CurrentCount->QuadPart = (LONGLONG)KiTickCount; }

/* IRQL: any. 100-ns units per tick, as on Windows. */
ULONG KeQueryTimeIncrement(void) { return 10000000 / KiClockHz; }

/* IRQL: any. 100-ns units since boot, from the TSC. */
ULONG64 KeQueryInterruptTime(void)
{
    ULONG64 t = __rdtsc();
    return (t / HalTscPerSecond) * 10000000 + (t % HalTscPerSecond) * 10000000 / HalTscPerSecond;
}

/* IRQL: any. */
LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    LARGE_INTEGER v;
    if (PerformanceFrequency)
        PerformanceFrequency->QuadPart = (LONGLONG)HalTscPerSecond;
    v.QuadPart = (LONGLONG)__rdtsc();
    return v;
}

/* IRQL: any. Busy-waits on the TSC; interrupts still arrive if IRQL allows. */
VOID KeStallExecutionProcessor(ULONG MicroSeconds)
{
    ULONG64 end = __rdtsc() + HalTscPerSecond * MicroSeconds / 1000000;
    while (__rdtsc() < end)
        _mm_pause();
}
