/* tests/ke/mutant_tests.c - mutants: owned and recursive like KMUTEX but APCs stay enabled;
 * a thread that exits owning one abandons it and the next wait reports STATUS_ABANDONED. */
#include "kthread_util.h"

static KMUTANT KtpMutant;
static VOID KtpTakeAndExit(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&KtpMutant, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject(&KtpMutant, Executive, KernelMode, FALSE, NULL); /* owned twice */
}

KTEST(mutant, a_thread_exiting_while_owning_a_mutant_abandons_it_to_the_next_waiter)
{
    KeInitializeMutant(&KtpMutant, FALSE);
    PKTHREAD t = KtStartThread(KtpTakeAndExit, NULL, 10);
    KT_ASSERT(t);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
    KT_EQ(KeReadStateMutant(&KtpMutant), 1); /* free again despite the recursion */
    KT_EQ(KtpMutant.Abandoned, TRUE);
    KT_STATUS(KeWaitForSingleObject(&KtpMutant, Executive, KernelMode, FALSE, NULL), STATUS_ABANDONED);
    KT_ASSERT(KtpMutant.OwnerThread == KeGetCurrentThread());
    KT_EQ(KtpMutant.Abandoned, FALSE);
    KT_EQ(KeReleaseMutant(&KtpMutant, 0, FALSE, FALSE), 0);
    KT_STATUS(KeWaitForSingleObject(&KtpMutant, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KeReleaseMutant(&KtpMutant, 0, FALSE, FALSE);
}

static KEVENT KtpGo;
static VOID KtpTakeSleepExit(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    LARGE_INTEGER ms = KtMs(5);
    KeWaitForSingleObject(&KtpMutant, Executive, KernelMode, FALSE, NULL);
    KeSetEvent(&KtpGo, 0, FALSE);
    KeDelayExecutionThread(KernelMode, FALSE, &ms);
}

KTEST(mutant, a_blocked_waiter_wakes_with_abandoned_wait_plus_its_index)
{
    KEVENT never;
    PVOID objects[2] = { &never, &KtpMutant };
    LARGE_INTEGER to = KtMs(2000);
    KeInitializeEvent(&never, NotificationEvent, FALSE);
    KeInitializeEvent(&KtpGo, NotificationEvent, FALSE);
    KeInitializeMutant(&KtpMutant, FALSE);
    PKTHREAD t = KtStartThread(KtpTakeSleepExit, NULL, 10);
    KT_ASSERT(t);
    KT_STATUS(KeWaitForSingleObject(&KtpGo, Executive, KernelMode, FALSE, &to), STATUS_SUCCESS);
    KT_ASSERT(KtpMutant.OwnerThread == t);
    NTSTATUS st = KeWaitForMultipleObjects(2, objects, WaitAny, Executive, KernelMode, FALSE, &to, NULL);
    KT_STATUS(st, STATUS_ABANDONED_WAIT_0 + 1);
    KT_ASSERT(KtpMutant.OwnerThread == KeGetCurrentThread());
    KeReleaseMutant(&KtpMutant, 0, FALSE, FALSE);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}

KTEST(mutant, initial_owner_owns_it_and_a_mutant_leaves_apcs_enabled_unlike_a_kmutex)
{
    KMUTEX mutex;
    KeInitializeMutant(&KtpMutant, TRUE);
    KT_EQ(KeReadStateMutant(&KtpMutant), 0);
    KT_ASSERT(KtpMutant.OwnerThread == KeGetCurrentThread());
    KT_ASSERT(!KeAreApcsDisabled());
    KeInitializeMutex(&mutex, 0);
    KeWaitForSingleObject(&mutex, Executive, KernelMode, FALSE, NULL);
    KT_ASSERT(KeAreApcsDisabled()); /* a KMUTEX holds off normal kernel APCs */
    KeReleaseMutex(&mutex, FALSE);
    KT_EQ(KeReleaseMutant(&KtpMutant, MUTANT_INCREMENT, FALSE, FALSE), 0);
    KT_EQ(KeReadStateMutant(&KtpMutant), 1);
    KT_ASSERT(KtpMutant.OwnerThread == NULL);
}

KTEST(mutant, release_abandoned_by_the_owner_frees_it_whatever_the_recursion)
{
    KeInitializeMutant(&KtpMutant, TRUE);
    KeWaitForSingleObject(&KtpMutant, Executive, KernelMode, FALSE, NULL);
    KT_EQ(KeReadStateMutant(&KtpMutant), -1);
    KT_EQ(KeReleaseMutant(&KtpMutant, 0, TRUE, FALSE), -1);
    KT_EQ(KeReadStateMutant(&KtpMutant), 1);
    KT_STATUS(KeWaitForSingleObject(&KtpMutant, Executive, KernelMode, FALSE, NULL), STATUS_ABANDONED);
    KeReleaseMutant(&KtpMutant, 0, FALSE, FALSE);
}

KTEST_BUGCHECK(mutant, release_by_a_thread_that_does_not_own_it_raises, KMODE_EXCEPTION_NOT_HANDLED)
{
    KeInitializeMutant(&KtpMutant, FALSE);
    KtExpectBugCheck((ULONG)STATUS_MUTANT_NOT_OWNED, KT_ANY, 0, 0);
    KeReleaseMutant(&KtpMutant, 0, FALSE, FALSE);
}

static KMUTEX KtpHeldMutex;
static VOID KtpExitHoldingKmutex(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&KtpHeldMutex, Executive, KernelMode, FALSE, NULL);
    KtExpectBugCheck(0, 0x0000FFFF, PASSIVE_LEVEL, 0);
}

KTEST_BUGCHECK(mutant, exiting_while_owning_a_kmutex_stops_with_apc_pending_during_exit, KERNEL_APC_PENDING_DURING_EXIT)
{
    KeInitializeMutex(&KtpHeldMutex, 0);
    PKTHREAD t = KtStartThread(KtpExitHoldingKmutex, NULL, 10);
    KtJoinThread(t, 100);
}
