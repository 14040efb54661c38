/* ke/synchlock.c - the lock forms built on the basic spin locks: SYNCH_LEVEL raises, the
 * "ForDpc" in-stack queued locks, and the numbered queued spin locks of ntifs.h. */
#include "ki.h"

/* IRQL <= SYNCH_LEVEL. Returns the old IRQL. */
KIRQL KeRaiseIrqlToSynchLevel(void) { return KfRaiseIrql(SYNCH_LEVEL); }

/* IRQL <= SYNCH_LEVEL. Raises to SYNCH_LEVEL, takes the lock, returns the old IRQL for
 * KeReleaseSpinLock. */
KIRQL KeAcquireSpinLockRaiseToSynch(PKSPIN_LOCK SpinLock)
{
    KIRQL old = KfRaiseIrql(SYNCH_LEVEL);
    if (KiDeadlockOn()) /* released by KeReleaseSpinLock, which tells deadlock detection */
        VfDeadlockAcquire(SpinLock, VfDlSpinLock, FALSE);
    KiAcquireSpinLockRaw(SpinLock);
    return old;
}

/* IRQL <= DISPATCH_LEVEL. A DPC (already at DISPATCH_LEVEL) and a thread alike: raises only
 * if needed, and the release goes back to the IRQL found here. */
VOID KeAcquireInStackQueuedSpinLockForDpc(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    KIRQL cur = KeGetCurrentIrql();
    KIRQL old = cur < DISPATCH_LEVEL ? KfRaiseIrql(DISPATCH_LEVEL) : cur;
    KeAcquireInStackQueuedSpinLockAtDpcLevel(SpinLock, LockHandle);
    LockHandle->OldIrql = old;
}

/* IRQL: DISPATCH_LEVEL; returns to the IRQL saved at acquire. */
VOID KeReleaseInStackQueuedSpinLockForDpc(PKLOCK_QUEUE_HANDLE LockHandle)
{
    KeReleaseInStackQueuedSpinLockFromDpcLevel(LockHandle);
    if (LockHandle->OldIrql < DISPATCH_LEVEL)
        KeLowerIrql(LockHandle->OldIrql);
}

/* The numbered locks: one lock word each, and per processor one queue entry per lock (a
 * processor holds a given numbered lock at most once). */
#define KIP_MAX_PROCESSORS 64
KSPIN_LOCK KiNumberedLocks[LockQueueMaximumLock]; /* tests look at the lock words */
static KLOCK_QUEUE_HANDLE KipNumberedHandles[KIP_MAX_PROCESSORS][LockQueueMaximumLock];

static PKLOCK_QUEUE_HANDLE KipNumberedHandle(KSPIN_LOCK_QUEUE_NUMBER Number)
{
    if ((ULONG)Number >= LockQueueMaximumLock) /* an invalid parameter, raised: unhandled here */
        KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_INVALID_PARAMETER, (ULONG_PTR)Number, 0, 0);
    return &KipNumberedHandles[KeGetCurrentPrcb()->Number % KIP_MAX_PROCESSORS][Number];
}

/* IRQL <= DISPATCH_LEVEL. Returns the old IRQL, at DISPATCH_LEVEL holding lock Number. */
KIRQL KeAcquireQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number)
{
    PKLOCK_QUEUE_HANDLE h = KipNumberedHandle(Number);
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&KiNumberedLocks[Number], h);
    return old;
}

/* IRQL == DISPATCH_LEVEL, holding lock Number; lowers to OldIrql. */
VOID KeReleaseQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number, KIRQL OldIrql)
{
    KeReleaseInStackQueuedSpinLockFromDpcLevel(KipNumberedHandle(Number));
    KeLowerIrql(OldIrql);
}
