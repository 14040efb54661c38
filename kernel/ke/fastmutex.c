/* ke/fastmutex.c - fast mutexes: held at APC_LEVEL (no APCs at all while owned), not
 * recursive; contention waits on a synchronization event that hands the mutex over. */
#include "ki.h"

/* IRQL <= DISPATCH_LEVEL. */
VOID ExInitializeFastMutex(PFAST_MUTEX FastMutex)
{
    FastMutex->Count = 1;
    FastMutex->Owner = NULL;
    FastMutex->Contention = 0;
    KeInitializeEvent(&FastMutex->Event, SynchronizationEvent, FALSE);
}

/* Above APC_LEVEL: Verifier 0xC4 P1 0x33 (IRQL, fast mutex, 0); without Verifier
 * IRQL_NOT_LESS_OR_EQUAL (fast mutex, IRQL, 1, caller) - the wait inside would be illegal. */
static VOID KipCheckAcquireIrql(PFAST_MUTEX FastMutex, PVOID Caller)
{
    KIRQL irql = KeGetCurrentIrql();
    if (irql <= APC_LEVEL)
        return;
    if (KiVerifierOn(VERIFIER_IRQL_CHECKING))
        KeBugCheckEx(BUGPARAMS_C4_FAST_MUTEX_ACQUIRE_ABOVE_APC(irql, FastMutex));
    KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)FastMutex, irql, 1, (ULONG_PTR)Caller);
}

/* IRQL <= APC_LEVEL; returns at APC_LEVEL. */
VOID ExAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    VF_DDI_CHECK(ExAcquireFastMutex);
    KipCheckAcquireIrql(FastMutex, __builtin_return_address(0));
    KIRQL old = KfRaiseIrql(APC_LEVEL);
    if (KiDeadlockOn())
        VfDeadlockAcquire(FastMutex, VfDlFastMutex, FALSE);
    if (__atomic_sub_fetch(&FastMutex->Count, 1, __ATOMIC_ACQUIRE) != 0) {
        FastMutex->Contention++;
        KeWaitForSingleObject(&FastMutex->Event, WrExecutive, KernelMode, FALSE, NULL);
    }
    FastMutex->Owner = KeGetCurrentThread();
    FastMutex->OldIrql = old;
}

/* IRQL <= APC_LEVEL. TRUE (at APC_LEVEL, owning it) or FALSE (nothing changed). */
BOOLEAN ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    VF_DDI_CHECK(ExTryToAcquireFastMutex);
    KipCheckAcquireIrql(FastMutex, __builtin_return_address(0));
    KIRQL old = KfRaiseIrql(APC_LEVEL);
    LONG expected = 1;
    if (!__atomic_compare_exchange_n(&FastMutex->Count, &expected, 0, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        KeLowerIrql(old);
        return FALSE;
    }
    if (KiDeadlockOn())
        VfDeadlockAcquire(FastMutex, VfDlFastMutex, TRUE);
    FastMutex->Owner = KeGetCurrentThread();
    FastMutex->OldIrql = old;
    return TRUE;
}

/* IRQL == APC_LEVEL (Verifier 0xC4 P1 0x34 otherwise: IRQL, fast mutex, 0). Lowers to the
 * IRQL the owner had when it acquired. */
VOID ExReleaseFastMutex(PFAST_MUTEX FastMutex)
{
    KIRQL irql = KeGetCurrentIrql();
    if (irql != APC_LEVEL && KiVerifierOn(VERIFIER_IRQL_CHECKING))
        KeBugCheckEx(BUGPARAMS_C4_FAST_MUTEX_RELEASE_NOT_APC(irql, FastMutex));
    if (KiDeadlockOn())
        VfDeadlockRelease(FastMutex, VfDlFastMutex);
    KIRQL old = (KIRQL)FastMutex->OldIrql;
    FastMutex->Owner = NULL;
    if (__atomic_add_fetch(&FastMutex->Count, 1, __ATOMIC_RELEASE) != 1)
        KeSetEvent(&FastMutex->Event, 0, FALSE); /* a waiter: it wakes owning the mutex */
    KeLowerIrql(old);
}

/* Verifier 0xC4 P1 0x39 (acquire) / 0x3A (release): an Unsafe call must come at APC_LEVEL
 * or from inside a critical or guarded region; P2 IRQL, P3 the thread's APC disable count
 * (Windows' combined form), P4 the mutex. */
static VOID KipCheckUnsafe(PFAST_MUTEX FastMutex, ULONG Subcode)
{
    KIRQL irql = KeGetCurrentIrql();
    PKTHREAD t = KeGetCurrentThread();
    BOOLEAN regionOk = irql < APC_LEVEL && (t->KernelApcDisable || t->SpecialApcDisable);
    if (irql == APC_LEVEL || regionOk || !KiVerifierOn(VERIFIER_IRQL_CHECKING))
        return;
    KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, Subcode, irql, KiCombinedApcDisable(t), (ULONG_PTR)FastMutex);
}

/* IRQL == APC_LEVEL, or below inside a critical/guarded region; no IRQL change. Not
 * recursive; contention waits for the hand-over. */
VOID ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
    KipCheckUnsafe(FastMutex, 0x39);
    if (KiDeadlockOn())
        VfDeadlockAcquire(FastMutex, VfDlFastMutex, FALSE);
    if (__atomic_sub_fetch(&FastMutex->Count, 1, __ATOMIC_ACQUIRE) != 0) {
        FastMutex->Contention++;
        KeWaitForSingleObject(&FastMutex->Event, WrExecutive, KernelMode, FALSE, NULL);
    }
    FastMutex->Owner = KeGetCurrentThread();
}

/* IRQL as ExAcquireFastMutexUnsafe. */
VOID ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
    KipCheckUnsafe(FastMutex, 0x3A);
    if (KiDeadlockOn())
        VfDeadlockRelease(FastMutex, VfDlFastMutex);
    FastMutex->Owner = NULL;
    if (__atomic_add_fetch(&FastMutex->Count, 1, __ATOMIC_RELEASE) != 1)
        KeSetEvent(&FastMutex->Event, 0, FALSE);
}
