/* ke/deadline.c - deadline=S: a boot still running after S seconds of its own clock ends with
 * one line and its own exit status, so a hang is found in guest time, which host load cannot stretch. */
#include "ki.h"
#include "../hal/hal.h"

static ULONG64 KipDeadlineTick;

/* Once at boot, after the clock rate is known. */
VOID KiInitializeDeadline(void)
{
    KipDeadlineTick = KiGetBootOptionNumber("deadline", 0) * (ULONG64)KiClockHz;
}

/* CLOCK_LEVEL, the boot processor's tick. Code that masks the clock (a spin at HIGH_LEVEL
 * with interrupts off) escapes it: the host's own timeout remains for that. */
VOID KiDeadlineTick(void)
{
    if (!KipDeadlineTick || KiTickCount < KipDeadlineTick)
        return;
    DbgPrint("\nDEADLINE: the boot was still running after %llu s of guest time (deadline=%llu); "
             "IRQL %u when the clock ended it\n",
             KipDeadlineTick / KiClockHz, KipDeadlineTick / KiClockHz, KeGetCurrentIrql());
    HalExitEmulator(HAL_EXIT_DEADLINE);
}
