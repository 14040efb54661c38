/* ke/interrupt.c - interrupt objects: an ISR bound to a vector whose class is its DIRQL,
 * called with its own spin lock held; KeSynchronizeExecution takes the same lock. */
#include "ki.h"
#include "../hal/hal.h"

static PKINTERRUPT KipVectorTable[256];

/* IRQL: <= DISPATCH_LEVEL. */
VOID KeInitializeInterrupt(PKINTERRUPT Interrupt, PKSERVICE_ROUTINE ServiceRoutine, PVOID ServiceContext,
                           PKSPIN_LOCK SpinLock, ULONG Vector, KIRQL Irql, KIRQL SynchronizeIrql,
                           KINTERRUPT_MODE InterruptMode)
{
    RtlZeroMemory(Interrupt, sizeof(*Interrupt));
    Interrupt->ServiceRoutine = ServiceRoutine;
    Interrupt->ServiceContext = ServiceContext;
    KeInitializeSpinLock(&Interrupt->SpinLock);
    Interrupt->ActualLock = SpinLock ? SpinLock : &Interrupt->SpinLock;
    Interrupt->Vector = Vector;
    Interrupt->Irql = Irql;
    Interrupt->SynchronizeIrql = SynchronizeIrql;
    Interrupt->Mode = InterruptMode;
}

/* IRQL: <= DISPATCH_LEVEL. Fails if the vector is taken, reserved, or its class is not the
 * requested IRQL: the class is what the APIC masks by, so the two must agree. */
BOOLEAN KeConnectInterrupt(PKINTERRUPT Interrupt)
{
    ULONG v = Interrupt->Vector;
    if (v < 0x30 || v > 0xCF || VECTOR_TO_IRQL(v) != Interrupt->Irql ||
        Interrupt->SynchronizeIrql < Interrupt->Irql || Interrupt->Connected)
        return FALSE;
    KIRQL old = KiRaiseIrqlRaw(HIGH_LEVEL);
    BOOLEAN ok = KipVectorTable[v] == NULL;
    if (ok) {
        KipVectorTable[v] = Interrupt;
        Interrupt->Connected = TRUE;
    }
    KiLowerIrqlRaw(old);
    return ok;
}

/* IRQL: <= DISPATCH_LEVEL. */
BOOLEAN KeDisconnectInterrupt(PKINTERRUPT Interrupt)
{
    KIRQL old = KiRaiseIrqlRaw(HIGH_LEVEL);
    BOOLEAN was = Interrupt->Connected;
    if (was) {
        KipVectorTable[Interrupt->Vector] = NULL;
        Interrupt->Connected = FALSE;
    }
    KiLowerIrqlRaw(old);
    return was;
}

/* IRQL: any. The interrupt object connected to Vector, or NULL (the test framework's
 * between-test check). */
PKINTERRUPT KiGetVectorInterrupt(ULONG Vector) { return Vector < 256 ? KipVectorTable[Vector] : NULL; }

/* Called from the trap path with IRQL already at the vector's class. */
VOID KiDispatchInterruptVector(ULONG Vector, PKTRAP_FRAME TrapFrame)
{
    PKINTERRUPT i = KipVectorTable[Vector];
    UNREFERENCED_PARAMETER(TrapFrame);
    if (!i) {
        DbgPrint("KE: unexpected interrupt on vector 0x%x\n", Vector);
        return;
    }
    KIRQL sync = i->SynchronizeIrql;
    KIRQL old = (KIRQL)__readcr8();
    if (sync > old)
        __writecr8(sync);
    KiAcquireSpinLockRaw(i->ActualLock);
    i->InterruptCount++;
    ULONG begin = KiTraceBeginHook ? KiTraceBeginHook() : 0;
    i->ServiceRoutine(i, i->ServiceContext);
    if (KiTraceEndHook)
        KiTraceEndHook(4 /* IO_TRACE_ISR */, (PVOID)i->ServiceRoutine, begin);
    KiReleaseSpinLockRaw(i->ActualLock);
    __writecr8(old);
}

/* IRQL: <= SynchronizeIrql. Runs the routine at the ISR's synchronize IRQL with the ISR's
 * lock held, so it cannot interleave with the ISR. */
BOOLEAN KeSynchronizeExecution(PKINTERRUPT Interrupt, PKSYNCHRONIZE_ROUTINE SynchronizeRoutine,
                               PVOID SynchronizeContext)
{
    KIRQL old = KeAcquireInterruptSpinLock(Interrupt);
    BOOLEAN r = SynchronizeRoutine(SynchronizeContext);
    KeReleaseInterruptSpinLock(Interrupt, old);
    return r;
}

/* IRQL: <= SynchronizeIrql. */
KIRQL KeAcquireInterruptSpinLock(PKINTERRUPT Interrupt)
{
    KIRQL old = KfRaiseIrql(Interrupt->SynchronizeIrql);
    KiAcquireSpinLockRaw(Interrupt->ActualLock);
    return old;
}

/* IRQL: SynchronizeIrql. */
VOID KeReleaseInterruptSpinLock(PKINTERRUPT Interrupt, KIRQL OldIrql)
{
    KiReleaseSpinLockRaw(Interrupt->ActualLock);
    KeLowerIrql(OldIrql);
}
