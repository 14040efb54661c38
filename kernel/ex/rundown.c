/* ex/rundown.c - run-down protection: a reference count that can be closed. Once the owner
 * starts the run-down no new reference is granted, and the last holder to leave wakes it. */
#include "exp.h"

#define EXP_RUNDOWN_ACTIVE 1
#define EXP_RUNDOWN_UNIT 2

/* While the owner waits, the word points (bit 0 set) at this block on its stack. */
typedef struct _EXP_RUNDOWN_WAIT {
    volatile LONG_PTR Holders;
    KEVENT Done;
} EXP_RUNDOWN_WAIT;

/* IRQL: any. */
VOID ExInitializeRundownProtection(PEX_RUNDOWN_REF RunRef) { RunRef->Count = 0; }

/* IRQL <= DISPATCH_LEVEL, after ExRundownCompleted: usable again. */
VOID ExReInitializeRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    __atomic_store_n(&RunRef->Count, 0, __ATOMIC_RELEASE);
}

/* IRQL <= DISPATCH_LEVEL. FALSE once the run-down has started. */
BOOLEAN ExAcquireRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count)
{
    ULONG_PTR old = __atomic_load_n(&RunRef->Count, __ATOMIC_RELAXED);
    do {
        if (old & EXP_RUNDOWN_ACTIVE)
            return FALSE;
    } while (!__atomic_compare_exchange_n(&RunRef->Count, &old, old + (ULONG_PTR)Count * EXP_RUNDOWN_UNIT, TRUE,
                                          __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
    return TRUE;
}

BOOLEAN ExAcquireRundownProtection(PEX_RUNDOWN_REF RunRef) { return ExAcquireRundownProtectionEx(RunRef, 1); }

/* IRQL <= DISPATCH_LEVEL. The last holder out during a run-down wakes the owner. */
VOID ExReleaseRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count)
{
    ULONG_PTR old = __atomic_load_n(&RunRef->Count, __ATOMIC_RELAXED);
    for (;;) {
        if (old & EXP_RUNDOWN_ACTIVE) {
            EXP_RUNDOWN_WAIT *w = (EXP_RUNDOWN_WAIT *)(old & ~(ULONG_PTR)EXP_RUNDOWN_ACTIVE);
            if (w && __atomic_sub_fetch(&w->Holders, (LONG_PTR)Count, __ATOMIC_ACQ_REL) == 0)
                KeSetEvent(&w->Done, 0, FALSE);
            return;
        }
        if (__atomic_compare_exchange_n(&RunRef->Count, &old, old - (ULONG_PTR)Count * EXP_RUNDOWN_UNIT, TRUE,
                                        __ATOMIC_RELEASE, __ATOMIC_RELAXED))
            return;
    }
}

VOID ExReleaseRundownProtection(PEX_RUNDOWN_REF RunRef) { ExReleaseRundownProtectionEx(RunRef, 1); }

/* IRQL < DISPATCH_LEVEL (it may wait). Closes the count and returns when every holder has
 * released; the count then stays closed until ExReInitializeRundownProtection. */
VOID ExWaitForRundownProtectionRelease(PEX_RUNDOWN_REF RunRef)
{
    EXP_RUNDOWN_WAIT w;
    ULONG_PTR old = __atomic_load_n(&RunRef->Count, __ATOMIC_RELAXED);
    for (;;) {
        if (old & EXP_RUNDOWN_ACTIVE)
            return; /* already run down */
        if (old == 0) {
            if (__atomic_compare_exchange_n(&RunRef->Count, &old, EXP_RUNDOWN_ACTIVE, TRUE, __ATOMIC_ACQ_REL,
                                            __ATOMIC_RELAXED))
                return;
            continue;
        }
        w.Holders = (LONG_PTR)(old / EXP_RUNDOWN_UNIT);
        KeInitializeEvent(&w.Done, NotificationEvent, FALSE);
        if (__atomic_compare_exchange_n(&RunRef->Count, &old, (ULONG_PTR)&w | EXP_RUNDOWN_ACTIVE, TRUE,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            break;
    }
    KeWaitForSingleObject(&w.Done, Executive, KernelMode, FALSE, NULL);
    /* Nobody looks at the block any more: the word no longer needs to point at our stack. */
    __atomic_store_n(&RunRef->Count, EXP_RUNDOWN_ACTIVE, __ATOMIC_RELEASE);
}

/* IRQL <= DISPATCH_LEVEL: marks a run-down finished without waiting (nobody holds it). */
VOID ExRundownCompleted(PEX_RUNDOWN_REF RunRef)
{
    __atomic_store_n(&RunRef->Count, EXP_RUNDOWN_ACTIVE, __ATOMIC_RELEASE);
}
