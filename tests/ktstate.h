/* tests/ktstate.h - what the test framework saves before a test and puts back after it
 * (ktstate.c), so one failing assertion cannot cascade into the next test. */
#pragma once
#include <ntddk.h>

#define KT_MAX_PINS 24
#define KT_MAX_TIMERS 64
typedef struct _KT_MACHINE_STATE {
    ULONG Pins, PitPin;
    ULONG64 Redirection[KT_MAX_PINS];
    PKINTERRUPT Vectors[256];
    ULONG TimerCount;
    PKTIMER Timers[KT_MAX_TIMERS];
    ULONG VerifierFlags;
    VOID (*RaiseHook)(void);
} KT_MACHINE_STATE;

VOID KtSaveMachineState(KT_MACHINE_STATE *S);
ULONG KtRestoreMachineState(const KT_MACHINE_STATE *S, BOOLEAN LowerIrql);
