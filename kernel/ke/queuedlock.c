/* ke/queuedlock.c - in-stack queued spin locks: each waiter spins on its own queue entry
 * and the lock is handed over in FIFO order. The processor's held-lock list catches misuse. */
#include "ki.h"

#define LQ_WAIT 1

static BOOLEAN KipHeldRemove(PKPRCB Prcb, PKSPIN_LOCK Lock, BOOLEAN Remove)
{
    for (ULONG i = 0; i < Prcb->HeldQueuedLockCount; i++) {
        if (Prcb->HeldQueuedLocks[i] == Lock) {
            if (Remove)
                Prcb->HeldQueuedLocks[i] = Prcb->HeldQueuedLocks[--Prcb->HeldQueuedLockCount];
            return TRUE;
        }
    }
    return FALSE;
}

/* IRQL: >= DISPATCH_LEVEL. */
VOID KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    PKSPIN_LOCK_QUEUE me = &LockHandle->LockQueue;

    if (KiDeadlockOn())
        VfDeadlockAcquire(SpinLock, VfDlQueuedSpinLock, FALSE);
    if (KipHeldRemove(prcb, SpinLock, FALSE))
        KeBugCheckEx(SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)SpinLock, 0, 0, 0);
    if (prcb->HeldQueuedLockCount == KI_MAX_HELD_QUEUED_LOCKS)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x44, (ULONG_PTR)SpinLock, 0, 0);
    me->Next = NULL;
    me->Lock = (PKSPIN_LOCK)((ULONG_PTR)SpinLock | LQ_WAIT);
    PKSPIN_LOCK_QUEUE prev =
        (PKSPIN_LOCK_QUEUE)__atomic_exchange_n(SpinLock, (KSPIN_LOCK)me, __ATOMIC_ACQ_REL);
    if (prev) {
        __atomic_store_n(&prev->Next, me, __ATOMIC_RELEASE);
        while ((ULONG_PTR)__atomic_load_n(&me->Lock, __ATOMIC_ACQUIRE) & LQ_WAIT)
            _mm_pause();
    } else {
        me->Lock = SpinLock;
    }
    prcb->HeldQueuedLocks[prcb->HeldQueuedLockCount++] = SpinLock;
}

/* IRQL: >= DISPATCH_LEVEL. */
VOID KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE LockHandle)
{
    PKSPIN_LOCK_QUEUE me = &LockHandle->LockQueue;
    PKSPIN_LOCK lock = (PKSPIN_LOCK)((ULONG_PTR)me->Lock & ~(ULONG_PTR)3);

    if (KiDeadlockOn())
        VfDeadlockRelease(lock, VfDlQueuedSpinLock);
    if (!KipHeldRemove(KeGetCurrentPrcb(), lock, TRUE))
        KeBugCheckEx(SPIN_LOCK_NOT_OWNED, (ULONG_PTR)lock, 0, 0, 0);
    if (!__atomic_load_n(&me->Next, __ATOMIC_ACQUIRE)) {
        KSPIN_LOCK expected = (KSPIN_LOCK)me;
        if (__atomic_compare_exchange_n(lock, &expected, 0, FALSE, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
            return;
        while (!__atomic_load_n(&me->Next, __ATOMIC_ACQUIRE)) /* a waiter is linking in */
            _mm_pause();
    }
    PKSPIN_LOCK_QUEUE next = me->Next;
    __atomic_store_n(&next->Lock, lock, __ATOMIC_RELEASE);
}

/* IRQL: <= DISPATCH_LEVEL. */
VOID KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle)
{
    LockHandle->OldIrql = KfRaiseIrql(DISPATCH_LEVEL);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(SpinLock, LockHandle);
}

/* IRQL: DISPATCH_LEVEL; returns to the IRQL saved at acquire. */
VOID KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle)
{
    KeReleaseInStackQueuedSpinLockFromDpcLevel(LockHandle);
    KeLowerIrql(LockHandle->OldIrql);
}

/* The kernel's numbered queued locks (the dispatcher database, the memory manager): the
 * queue entry lives in the processor block, as Windows' LockQueue array does, so the lock
 * belongs to the processor. It may be taken again on the processor that holds it (nested
 * kernel paths, a page fault under the Mm lock), and across a context switch the thread
 * switched to releases what the one switched from acquired. IRQL: raised by the caller,
 * to DISPATCH_LEVEL (dispatcher) or HIGH_LEVEL (Mm); a processor spinning here still
 * serves IPI requests, so a shootdown or freeze aimed at it cannot deadlock. */
KSPIN_LOCK KiQueuedLocks[KI_NUMBER_QUEUED_LOCKS];

VOID KiAcquireQueuedLock(ULONG Number)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    PKSPIN_LOCK_QUEUE me = &prcb->LockQueue[Number];
    if (prcb->LockDepth[Number]++)
        return;
    me->Next = NULL;
    me->Lock = (PKSPIN_LOCK)((ULONG_PTR)&KiQueuedLocks[Number] | LQ_WAIT);
    PKSPIN_LOCK_QUEUE prev =
        (PKSPIN_LOCK_QUEUE)__atomic_exchange_n(&KiQueuedLocks[Number], (KSPIN_LOCK)me, __ATOMIC_ACQ_REL);
    if (prev) {
        __atomic_store_n(&prev->Next, me, __ATOMIC_RELEASE);
        while ((ULONG_PTR)__atomic_load_n(&me->Lock, __ATOMIC_ACQUIRE) & LQ_WAIT) {
            if (__atomic_load_n(&prcb->IpiRequests, __ATOMIC_RELAXED))
                KiIpiPoll();
            _mm_pause();
        }
    }
}

VOID KiReleaseQueuedLock(ULONG Number)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    PKSPIN_LOCK_QUEUE me = &prcb->LockQueue[Number];
    if (prcb->LockDepth[Number] == 0)
        KeBugCheckEx(SPIN_LOCK_NOT_OWNED, (ULONG_PTR)&KiQueuedLocks[Number], 0, 0, 1);
    if (--prcb->LockDepth[Number])
        return;
    if (!__atomic_load_n(&me->Next, __ATOMIC_ACQUIRE)) {
        KSPIN_LOCK expected = (KSPIN_LOCK)me;
        if (__atomic_compare_exchange_n(&KiQueuedLocks[Number], &expected, 0, FALSE, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED))
            return;
        while (!__atomic_load_n(&me->Next, __ATOMIC_ACQUIRE))
            _mm_pause();
    }
    __atomic_store_n(&me->Next->Lock, (PKSPIN_LOCK)&KiQueuedLocks[Number], __ATOMIC_RELEASE);
}

/* IRQL: any. TRUE if this processor holds the numbered lock. */
BOOLEAN KiQueuedLockHeld(ULONG Number) { return KeGetCurrentPrcb()->LockDepth[Number] != 0; }
