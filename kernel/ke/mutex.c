/* ke/mutex.c - kernel mutexes: owned by a thread, recursively acquirable by its owner, and
 * while owned normal kernel APCs to the owner are held off (as a critical region does). */
#include "ki.h"
#include "../hal/hal.h"

/* IRQL: any. Level is accepted for compatibility (no level ordering is enforced). */
VOID KeInitializeMutex(PRKMUTEX Mutex, ULONG Level)
{
    UNREFERENCED_PARAMETER(Level);
    Mutex->Header.Type = MutantObject;
    Mutex->Header.Size = sizeof(KMUTEX) / sizeof(LONG);
    Mutex->Header.SignalState = 1;
    InitializeListHead(&Mutex->Header.WaitListHead);
    Mutex->OwnerThread = NULL;
    Mutex->Abandoned = FALSE;
    Mutex->ApcDisable = 1;
}

/* IRQL <= DISPATCH_LEVEL. Only the owner may release: otherwise STATUS_MUTANT_NOT_OWNED is
 * raised, an unhandled exception here: KMODE_EXCEPTION_NOT_HANDLED (status, caller, 0, 0).
 * Returns the previous state (1 free, 0 owned once, -n owned n+1 times). */
LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait)
{
    VF_DDI_CHECK(KeReleaseMutex);
    UNREFERENCED_PARAMETER(Wait);
    PKTHREAD t = KeGetCurrentThread();
    KIRQL irql = KiAcquireDispatcherDatabase();
    LONG old = Mutex->Header.SignalState;
    if (Mutex->OwnerThread != t) {
        KiReleaseDispatcherDatabase(irql);
        KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_MUTANT_NOT_OWNED,
                     (ULONG_PTR)__builtin_return_address(0), 0, 0);
    }
    Mutex->Header.SignalState = old + 1;
    if (old + 1 == 1) {
        RemoveEntryList(&Mutex->MutantListEntry);
        Mutex->OwnerThread = NULL;
        t->KernelApcDisable -= Mutex->ApcDisable;
        KiWaitTest(&Mutex->Header);
        if (t->KernelApcDisable == 0 && KiApcDeliverable(t))
            HalRequestSoftwareInterrupt(APC_LEVEL);
    }
    KiReleaseDispatcherDatabase(irql);
    return old;
}

/* IRQL: any. */
LONG KeReadStateMutex(PRKMUTEX Mutex) { return Mutex->Header.SignalState; }
