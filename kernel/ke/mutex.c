/* ke/mutex.c - kernel mutexes and mutants: owned by a thread and recursively acquirable by
 * it. A KMUTEX also holds off normal kernel APCs to its owner; a mutant whose owner exits
 * is abandoned, and the next wait that takes it says so (STATUS_ABANDONED). */
#include "ki.h"
#include "../hal/hal.h"

static VOID KipInitializeMutant(PRKMUTANT Mutant, UCHAR ApcDisable)
{
    Mutant->Header.Type = MutantObject;
    Mutant->Header.Size = sizeof(KMUTANT) / sizeof(LONG);
    Mutant->Header.SignalState = 1;
    InitializeListHead(&Mutant->Header.WaitListHead);
    Mutant->OwnerThread = NULL;
    Mutant->Abandoned = FALSE;
    Mutant->ApcDisable = ApcDisable;
}

/* IRQL: any. Level is accepted for compatibility (no level ordering is enforced). */
VOID KeInitializeMutex(PRKMUTEX Mutex, ULONG Level)
{
    UNREFERENCED_PARAMETER(Level);
    KipInitializeMutant(Mutex, 1);
}

/* IRQL <= DISPATCH_LEVEL. A mutant does not disable APCs while owned. InitialOwner: the
 * calling thread owns it once. */
VOID KeInitializeMutant(PRKMUTANT Mutant, BOOLEAN InitialOwner)
{
    KipInitializeMutant(Mutant, 0);
    if (InitialOwner) {
        KIRQL irql = KiAcquireDispatcherDatabase();
        KiSatisfyWait(&Mutant->Header, KeGetCurrentThread());
        KiReleaseDispatcherDatabase(irql);
        if (KiDeadlockOn()) /* owned without a wait: no order, but the release must match */
            VfDeadlockAcquire(Mutant, VfDlMutex, TRUE);
    }
}

/* DISPATCH_LEVEL: the owner's last release (or its exit) makes the object free again. */
static VOID KipDisown(PRKMUTANT Mutant, PKTHREAD Owner)
{
    RemoveEntryList(&Mutant->MutantListEntry);
    Mutant->OwnerThread = NULL;
    Owner->KernelApcDisable -= Mutant->ApcDisable;
    if (Owner->KernelApcDisable == 0 && Owner == KeGetCurrentThread() && KiApcDeliverable(Owner))
        HalRequestSoftwareInterrupt(APC_LEVEL);
}

/* IRQL <= DISPATCH_LEVEL. Releases one acquisition; only the owner may: otherwise
 * STATUS_MUTANT_NOT_OWNED is raised, an unhandled exception here: KMODE_EXCEPTION_NOT_HANDLED
 * (status, caller, 0, 0). Abandoned = TRUE gives the mutant up whatever its recursion count,
 * marked abandoned, as a thread's exit does. The waiter it satisfies is boosted by Increment;
 * Wait = TRUE as in KeSetEvent. Returns the previous state (1 free, 0 owned once, -n owned
 * n+1 times). */
LONG KeReleaseMutant(PRKMUTANT Mutant, KPRIORITY Increment, BOOLEAN Abandoned, BOOLEAN Wait)
{
    VF_DDI_CHECK(KeReleaseMutex);
    if (!Abandoned && KiDeadlockOn())
        VfDeadlockRelease(Mutant, VfDlMutex);
    PKTHREAD t = KeGetCurrentThread();
    KIRQL irql = KiAcquireDispatcherDatabase();
    LONG old = Mutant->Header.SignalState;
    if (Abandoned) {
        if (Mutant->OwnerThread)
            KipDisown(Mutant, Mutant->OwnerThread);
        Mutant->Header.SignalState = 1;
        Mutant->Abandoned = TRUE;
    } else {
        if (Mutant->OwnerThread != t) {
            KiReleaseDispatcherDatabase(irql);
            KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_MUTANT_NOT_OWNED,
                         (ULONG_PTR)__builtin_return_address(0), 0, 0);
        }
        Mutant->Header.SignalState = old + 1;
        if (old + 1 == 1)
            KipDisown(Mutant, t);
    }
    if (Mutant->Header.SignalState == 1)
        KiWaitTestEx(&Mutant->Header, Increment);
    KiEndSignal(irql, Wait);
    return old;
}

/* IRQL <= DISPATCH_LEVEL. KeReleaseMutant with MUTANT_INCREMENT, not abandoned. */
LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait)
{
    return KeReleaseMutant(Mutex, MUTANT_INCREMENT, FALSE, Wait);
}

/* IRQL: any. */
LONG KeReadStateMutex(PRKMUTEX Mutex) { return Mutex->Header.SignalState; }
LONG KeReadStateMutant(PRKMUTANT Mutant) { return Mutant->Header.SignalState; }

/* PASSIVE_LEVEL, in a thread that is ending (PsTerminateSystemThread): every mutant it
 * still owns is released as abandoned, so its waiters wake with STATUS_ABANDONED instead of
 * waiting forever. (A KMUTEX still owned stops earlier: it holds off APCs, which Windows
 * reports as KERNEL_APC_PENDING_DURING_EXIT.) */
VOID KiRundownMutants(PKTHREAD Thread)
{
    while (!IsListEmpty(&Thread->MutantListHead)) {
        PKMUTANT m = CONTAINING_RECORD(Thread->MutantListHead.Flink, KMUTANT, MutantListEntry);
        KeReleaseMutant(m, MUTANT_INCREMENT, TRUE, FALSE);
    }
}
