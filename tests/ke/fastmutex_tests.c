/* tests/ke/fastmutex_tests.c - fast mutexes: held at APC_LEVEL, exclusive across threads,
 * APCs held off while owned; the IRQL rules with Verifier's subcodes. */
#include "kthread_util.h"

static FAST_MUTEX KtpFm;
static volatile LONG KtpGot;
static volatile KIRQL KtpGotIrql;
static VOID KtpTaker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExAcquireFastMutex(&KtpFm);
    KtpGotIrql = KeGetCurrentIrql();
    KtpGot = 1;
    ExReleaseFastMutex(&KtpFm);
}

KTEST(fastmutex, acquire_raises_to_apc_level_and_release_restores)
{
    ExInitializeFastMutex(&KtpFm);
    ExAcquireFastMutex(&KtpFm);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    KT_ASSERT(KtpFm.Owner == KeGetCurrentThread());
    KT_ASSERT(!ExTryToAcquireFastMutex(&KtpFm)); /* not recursive */
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    ExReleaseFastMutex(&KtpFm);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_ASSERT(ExTryToAcquireFastMutex(&KtpFm));
    ExReleaseFastMutex(&KtpFm);
}

KTEST(fastmutex, contending_thread_blocks_until_release)
{
    ExInitializeFastMutex(&KtpFm);
    KtpGot = 0;
    ExAcquireFastMutex(&KtpFm);
    PKTHREAD t = KtStartThread(KtpTaker, NULL, 10); /* runs at once, and blocks */
    KT_ASSERT(t);
    KT_EQ(t->State, Waiting);
    KT_EQ(t->WaitIrql, APC_LEVEL);
    KT_EQ(KtpFm.Contention, 1);
    KT_EQ(KtpGot, 0);
    ExReleaseFastMutex(&KtpFm); /* hands over; the taker preempts as IRQL drops */
    KT_EQ(KtpGot, 1);
    KT_EQ(KtpGotIrql, APC_LEVEL);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
    KT_EQ(KtpFm.Count, 1);
}

static volatile LONG KtpApcRan;
static VOID KtpApc(PKAPC Apc, PKNORMAL_ROUTINE *N, PVOID *C, PVOID *A1, PVOID *A2)
{
    UNREFERENCED_PARAMETER(Apc);
    UNREFERENCED_PARAMETER(N);
    UNREFERENCED_PARAMETER(C);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    KtpApcRan++;
}

KTEST(fastmutex, holding_one_holds_off_even_special_apcs)
{
    KAPC apc;
    KtpApcRan = 0;
    ExInitializeFastMutex(&KtpFm);
    KeInitializeApc(&apc, KeGetCurrentThread(), OriginalApcEnvironment, KtpApc, NULL, NULL, KernelMode, NULL);
    ExAcquireFastMutex(&KtpFm);
    KeInsertQueueApc(&apc, NULL, NULL, 0);
    KtBusyWaitMs(2);
    KT_EQ(KtpApcRan, 0);
    ExReleaseFastMutex(&KtpFm);
    KT_EQ(KtpApcRan, 1);
}

KTEST_BUGCHECK(fastmutex, verifier_acquire_at_dispatch, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static FAST_MUTEX fm;
    KIRQL old;
    ExInitializeFastMutex(&fm);
    KtExpectBugCheck(0x33, DISPATCH_LEVEL, (ULONG64)&fm, 0);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ExAcquireFastMutex(&fm);
}

KTEST_EX(fastmutex, acquire_at_dispatch_without_verifier, IRQL_NOT_LESS_OR_EQUAL, "verifier=none")
{
    static FAST_MUTEX fm;
    KIRQL old;
    ExInitializeFastMutex(&fm);
    KtExpectBugCheck((ULONG64)&fm, DISPATCH_LEVEL, 1, KT_ANY);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ExAcquireFastMutex(&fm);
}

KTEST_BUGCHECK(fastmutex, verifier_release_below_apc_level, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static FAST_MUTEX fm;
    ExInitializeFastMutex(&fm);
    ExAcquireFastMutex(&fm);
    KeLowerIrql(PASSIVE_LEVEL);
    KtExpectBugCheck(0x34, PASSIVE_LEVEL, (ULONG64)&fm, 0);
    ExReleaseFastMutex(&fm);
}
