/* tests/ktstate.c - the machine state the framework puts back around every test: IRQL,
 * interrupt flag, I/O APIC routing (and the PIT), interrupt objects, timers, Verifier flags. */
#include "ktest.h"
#include "ktstate.h"
#include "../kernel/ke/ki.h"
#include "../kernel/hal/hal.h"
#include "../kernel/mm/mi.h"

static BOOLEAN KtpInSnapshot(const KT_MACHINE_STATE *S, PKTIMER T)
{
    for (ULONG i = 0; i < S->TimerCount; i++)
        if (S->Timers[i] == T)
            return TRUE;
    return FALSE;
}

/* IRQL: PASSIVE_LEVEL, before the test runs. */
VOID KtSaveMachineState(KT_MACHINE_STATE *S)
{
    ULONG flags;
    S->Pins = HalIoApicPinCount();
    if (S->Pins > KT_MAX_PINS)
        S->Pins = KT_MAX_PINS;
    for (ULONG i = 0; i < S->Pins; i++)
        S->Redirection[i] = HalReadRedirection(i);
    S->PitPin = HalIsaIrqToGsi(0, &flags) - HalIoApicGsiBase;
    for (ULONG v = 0; v < 256; v++)
        S->Vectors[v] = KiGetVectorInterrupt(v);
    S->TimerCount = KiSnapshotTimers(S->Timers, KT_MAX_TIMERS);
    if (S->TimerCount > KT_MAX_TIMERS)
        S->TimerCount = KT_MAX_TIMERS;
    S->VerifierFlags = KiVerifierFlags;
    S->RaiseHook = KiDispatchRaiseHook;
}

/* Puts back what the test changed and names each repair on a `# framework:` line; returns how
 * many there were. LowerIrql is FALSE while the failing test's frame is still live (called from
 * the failed assertion): the objects it left registered may sit on its stack, so they are
 * unlinked now, and IRQL is left to the caller, who returns to the framework at once.
 * IRQL: in the test's own thread, not in a DPC; from the assertion <= DISPATCH_LEVEL, after
 * the test at whatever IRQL it returned at. */
ULONG KtRestoreMachineState(const KT_MACHINE_STATE *S, BOOLEAN LowerIrql)
{
    ULONG repairs = 0;
    /* Routing and interrupt objects first, at whatever IRQL the test left: an interrupt it
     * left pending in the IRR must find no ISR of the test's when IRQL comes down. */
    for (ULONG i = 0; i < S->Pins; i++) {
        ULONG64 now = HalReadRedirection(i);
        if (now == S->Redirection[i])
            continue;
        DbgPrint("# framework: I/O APIC pin %u was 0x%llx, put back to 0x%llx\n", i, now, S->Redirection[i]);
        HalWriteRedirection(i, S->Redirection[i]);
        if (i == S->PitPin)
            HalPitStop();
        repairs++;
    }
    for (ULONG v = 0; v < 256; v++) {
        PKINTERRUPT now = KiGetVectorInterrupt(v);
        /* IoConnectInterrupt's objects (nonpaged pool) belong to a driver the test loaded,
         * which keeps them until IoDisconnectInterrupt; the test's own are its business. */
        if (now == S->Vectors[v] || (now && MiIsNonPagedPoolAddress(now)))
            continue;
        DbgPrint("# framework: interrupt object %p left connected on vector 0x%x; disconnected\n", now, v);
        if (now)
            KeDisconnectInterrupt(now);
        repairs++;
    }
    if (KiDispatchRaiseHook != S->RaiseHook) {
        DbgPrint("# framework: DISPATCH_LEVEL raise hook put back\n");
        KiDispatchRaiseHook = S->RaiseHook;
        repairs++;
    }
    if (LowerIrql && !KiInterruptsEnabled()) {
        DbgPrint("# framework: interrupts were disabled; enabled again\n");
        _enable();
        repairs++;
    }
    if (LowerIrql && KeGetCurrentIrql() != PASSIVE_LEVEL) {
        DbgPrint("# framework: IRQL %u put back to PASSIVE_LEVEL\n", KeGetCurrentIrql());
        KeLowerIrql(PASSIVE_LEVEL); /* pending DPCs run, as on any lowering */
        repairs++;
    }
    if (KeGetCurrentIrql() > DISPATCH_LEVEL)
        return repairs; /* not lowered: verifier flags and timers wait for the call after the test */
    /* Flags written around KiSetVerifierFlags leave the inline fast paths skipping checks the
     * flags ask for (ke/patch.c); putting them back through it rewrites each key that disagrees.
     * It takes a spin lock, so at <= DISPATCH_LEVEL. */
    BOOLEAN agree = KiVerifierPatchesAgree();
    if (!agree || KiVerifierFlags != S->VerifierFlags) {
        DbgPrint("# framework: verifier flags 0x%x%s put back to 0x%x\n", KiVerifierFlags,
                 agree ? "" : " (set without KiSetVerifierFlags)", S->VerifierFlags);
        KiSetVerifierFlags(S->VerifierFlags);
        repairs++;
    }
    PKTIMER timers[KT_MAX_TIMERS];
    ULONG n = KiSnapshotTimers(timers, KT_MAX_TIMERS);
    for (ULONG i = 0; i < n && i < KT_MAX_TIMERS; i++)
        if (!KtpInSnapshot(S, timers[i])) {
            DbgPrint("# framework: timer %p left set; cancelled\n", timers[i]);
            KeCancelTimer(timers[i]);
            repairs++;
        }
    return repairs;
}
