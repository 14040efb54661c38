/* tests/ke/apc_tests.c - kernel APCs: delivered by the APC software interrupt in the target
 * thread at APC_LEVEL, waking a PASSIVE_LEVEL waiter; critical vs guarded regions. */
#include "kthread_util.h"

typedef struct {
    volatile LONG KernelRuns, NormalRuns;
    volatile PKTHREAD KernelThread, NormalThread;
    volatile KIRQL KernelIrql, NormalIrql;
    PVOID A1, A2, Ctx;
} KTP_APC_LOG;
static KTP_APC_LOG KtpLog;

static VOID KtpKernelRoutine(PKAPC Apc, PKNORMAL_ROUTINE *Normal, PVOID *Ctx, PVOID *A1, PVOID *A2)
{
    UNREFERENCED_PARAMETER(Apc);
    UNREFERENCED_PARAMETER(Normal);
    KtpLog.KernelRuns++;
    KtpLog.KernelThread = KeGetCurrentThread();
    KtpLog.KernelIrql = KeGetCurrentIrql();
    KtpLog.A1 = *A1;
    KtpLog.A2 = *A2;
    KtpLog.Ctx = *Ctx;
}

static VOID KtpNormalRoutine(PVOID Ctx, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    KtpLog.NormalRuns++;
    KtpLog.NormalThread = KeGetCurrentThread();
    KtpLog.NormalIrql = KeGetCurrentIrql();
    KtpLog.Ctx = Ctx;
}

static KEVENT KtpRelease;
static volatile NTSTATUS KtpWaitStatus;
static volatile BOOLEAN KtpWaitReturned, KtpUseCritical;
static VOID KtpWaiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    if (KtpUseCritical)
        KeEnterCriticalRegion();
    KtpWaitStatus = KeWaitForSingleObject(&KtpRelease, Executive, KernelMode, FALSE, NULL);
    KtpWaitReturned = TRUE;
    if (KtpUseCritical)
        KeLeaveCriticalRegion(); /* a held normal APC runs here */
}

static PKTHREAD KtpStartWaiter(BOOLEAN Critical)
{
    RtlZeroMemory(&KtpLog, sizeof(KtpLog));
    KtpWaitReturned = FALSE;
    KtpUseCritical = Critical;
    KeInitializeEvent(&KtpRelease, NotificationEvent, FALSE);
    return KtStartThread(KtpWaiter, NULL, 10);
}

KTEST(apc, special_apc_wakes_a_passive_waiter_runs_at_apc_level_then_the_wait_resumes)
{
    KAPC apc;
    PKTHREAD t = KtpStartWaiter(FALSE);
    KT_ASSERT(t);
    KT_EQ(t->State, Waiting);
    KeInitializeApc(&apc, t, OriginalApcEnvironment, KtpKernelRoutine, NULL, NULL, KernelMode, NULL);
    KT_ASSERT(KeInsertQueueApc(&apc, (PVOID)0x11, (PVOID)0x22, 0));
    /* The waiter (priority 10) was woken for the APC and has run it by now. */
    KT_EQ(KtpLog.KernelRuns, 1);
    KT_ASSERT(KtpLog.KernelThread == t);
    KT_EQ(KtpLog.KernelIrql, APC_LEVEL);
    KT_EQ(KtpLog.A1, 0x11);
    KT_EQ(KtpLog.A2, 0x22);
    KT_ASSERT(!apc.Inserted);
    KT_ASSERT(!KtpWaitReturned); /* it went back to waiting */
    KT_EQ(t->State, Waiting);
    KeSetEvent(&KtpRelease, 0, FALSE);
    KT_ASSERT(KtpWaitReturned);
    KT_STATUS(KtpWaitStatus, STATUS_SUCCESS);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}

KTEST(apc, normal_apc_runs_kernel_routine_then_normal_routine_at_passive_in_the_target)
{
    KAPC apc;
    PKTHREAD t = KtpStartWaiter(FALSE);
    KT_ASSERT(t);
    KeInitializeApc(&apc, t, OriginalApcEnvironment, KtpKernelRoutine, NULL, KtpNormalRoutine, KernelMode,
                    (PVOID)0x33);
    KT_ASSERT(KeInsertQueueApc(&apc, NULL, NULL, 0));
    KT_EQ(KtpLog.KernelRuns, 1);
    KT_EQ(KtpLog.KernelIrql, APC_LEVEL);
    KT_EQ(KtpLog.NormalRuns, 1);
    KT_ASSERT(KtpLog.NormalThread == t);
    KT_EQ(KtpLog.NormalIrql, PASSIVE_LEVEL);
    KT_EQ(KtpLog.Ctx, 0x33);
    KT_ASSERT(!KtpWaitReturned);
    KeSetEvent(&KtpRelease, 0, FALSE);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}

KTEST(apc, critical_region_waiter_is_not_woken_for_a_normal_apc)
{
    KAPC apc;
    PKTHREAD t = KtpStartWaiter(TRUE);
    KT_ASSERT(t);
    KeInitializeApc(&apc, t, OriginalApcEnvironment, KtpKernelRoutine, NULL, KtpNormalRoutine, KernelMode, NULL);
    KT_ASSERT(KeInsertQueueApc(&apc, NULL, NULL, 0));
    KT_EQ(KtpLog.KernelRuns, 0);
    KT_EQ(t->State, Waiting);
    KT_ASSERT(t->KernelApcPending);
    KeSetEvent(&KtpRelease, 0, FALSE); /* it wakes, leaves its critical region: now the APC */
    KT_ASSERT(KtpWaitReturned);
    KT_EQ(KtpLog.KernelRuns, 1);
    KT_EQ(KtpLog.NormalRuns, 1);
    KT_ASSERT(KtpLog.NormalThread == t);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}

KTEST(apc, apc_to_self_waits_for_irql_below_apc_level)
{
    KAPC apc;
    KIRQL old;
    RtlZeroMemory(&KtpLog, sizeof(KtpLog));
    KeInitializeApc(&apc, KeGetCurrentThread(), OriginalApcEnvironment, KtpKernelRoutine, NULL, NULL, KernelMode,
                    NULL);
    KeRaiseIrql(APC_LEVEL, &old);
    KT_ASSERT(KeInsertQueueApc(&apc, NULL, NULL, 0));
    KT_ASSERT(!KeInsertQueueApc(&apc, NULL, NULL, 0)); /* already queued */
    KtBusyWaitMs(3);
    LONG early = KtpLog.KernelRuns;
    KeLowerIrql(old);
    KT_EQ(early, 0);
    KT_EQ(KtpLog.KernelRuns, 1);
    KT_ASSERT(KtpLog.KernelThread == KeGetCurrentThread());
    KT_EQ(KtpLog.KernelIrql, APC_LEVEL);
}

KTEST(apc, critical_region_holds_normal_apcs_but_not_special_ones)
{
    KAPC normal, special;
    PKTHREAD self = KeGetCurrentThread();
    RtlZeroMemory(&KtpLog, sizeof(KtpLog));
    KeInitializeApc(&normal, self, OriginalApcEnvironment, KtpKernelRoutine, NULL, KtpNormalRoutine, KernelMode, NULL);
    KeInitializeApc(&special, self, OriginalApcEnvironment, KtpKernelRoutine, NULL, NULL, KernelMode, NULL);
    KeEnterCriticalRegion();
    KT_ASSERT(KeAreApcsDisabled());
    KeInsertQueueApc(&normal, NULL, NULL, 0);
    KT_EQ(KtpLog.KernelRuns, 0);
    KeInsertQueueApc(&special, NULL, NULL, 0);
    KT_EQ(KtpLog.KernelRuns, 1); /* the special one ran, inside the region */
    KT_EQ(KtpLog.NormalRuns, 0);
    KeLeaveCriticalRegion();
    KT_EQ(KtpLog.KernelRuns, 2);
    KT_EQ(KtpLog.NormalRuns, 1);
    KT_ASSERT(!KeAreApcsDisabled());
}

KTEST(apc, guarded_region_holds_special_apcs_too)
{
    KAPC special;
    RtlZeroMemory(&KtpLog, sizeof(KtpLog));
    KeInitializeApc(&special, KeGetCurrentThread(), OriginalApcEnvironment, KtpKernelRoutine, NULL, NULL, KernelMode,
                    NULL);
    KeEnterGuardedRegion();
    KT_ASSERT(KeAreApcsDisabled());
    KeInsertQueueApc(&special, NULL, NULL, 0);
    KtBusyWaitMs(2);
    KT_EQ(KtpLog.KernelRuns, 0);
    KeLeaveGuardedRegion();
    KT_EQ(KtpLog.KernelRuns, 1);
}

KTEST_BUGCHECK(apc, verifier_leave_critical_region_never_entered, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    KtExpectBugCheck(0x3E, 0, 0, 0);
    KeLeaveCriticalRegion();
}

KTEST_BUGCHECK(apc, verifier_enter_critical_region_at_dispatch, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    KIRQL old;
    KtExpectBugCheck(0x11A, DISPATCH_LEVEL, 0, 0);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeEnterCriticalRegion();
}

static VOID KtpExitInCriticalRegion(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeEnterCriticalRegion();
}

KTEST_BUGCHECK(apc, thread_exit_inside_critical_region, KERNEL_APC_PENDING_DURING_EXIT)
{
    KtExpectBugCheck(0, 0xFFFF, PASSIVE_LEVEL, 0);
    KtStartThread(KtpExitInCriticalRegion, NULL, 10);
}
