/* tests/ke/thread_tests.c - system threads and the scheduler: creation and handles, the
 * no-switch-at-DISPATCH_LEVEL rule across clock ticks, priority and quantum preemption. */
#include "kthread_util.h"
#include "../../kernel/hal/hal.h"

static volatile PKTHREAD KtpRanIn;
static volatile KIRQL KtpRanAt;
static volatile LONG KtpRan;

static VOID KtpRecordThread(PVOID Context)
{
    KtpRanIn = KeGetCurrentThread();
    KtpRanAt = KeGetCurrentIrql();
    KtpRan = (LONG)(ULONG_PTR)Context;
}

KTEST(thread, boot_context_is_the_initial_thread)
{
    PKTHREAD t = KeGetCurrentThread();
    KT_ASSERT(t == KiInitialThread);
    KT_EQ(t->State, Running);
    KT_ASSERT(KiIdleThread && KiIdleThread != t);
    KT_EQ(KeQueryPriorityThread(t), KI_DEFAULT_PRIORITY);
}

KTEST(thread, created_thread_runs_at_passive_in_its_own_context)
{
    HANDLE h;
    PKTHREAD t;
    CLIENT_ID cid;
    KtpRan = 0;
    KtpRanIn = NULL;
    KT_STATUS(PsCreateSystemThread(&h, 0, NULL, NULL, &cid, KtpRecordThread, (PVOID)7), STATUS_SUCCESS);
    KT_STATUS(ObReferenceObjectByHandle(h, 0, *PsThreadType, KernelMode, (PVOID *)&t, NULL), STATUS_SUCCESS);
    KT_EQ(cid.UniqueThread, (ULONG_PTR)t->Id);
    LARGE_INTEGER to = KtMs(1000);
    KT_STATUS(KeWaitForSingleObject(t, Executive, KernelMode, FALSE, &to), STATUS_SUCCESS);
    KT_EQ(KtpRan, 7);
    KT_ASSERT(KtpRanIn == t);
    KT_ASSERT(KtpRanIn != KeGetCurrentThread());
    KT_EQ(KtpRanAt, PASSIVE_LEVEL);
    KT_EQ(t->State, Terminated);
    KT_EQ(t->ExitStatus, STATUS_SUCCESS);
    ObDereferenceObject(t);
    KT_STATUS(ZwClose(h), STATUS_SUCCESS);
    KT_STATUS(ZwClose(h), STATUS_INVALID_HANDLE);
}

KTEST(thread, bad_handles_are_rejected)
{
    PVOID o = (PVOID)1;
    KT_STATUS(ObReferenceObjectByHandle((HANDLE)0x1234, 0, NULL, KernelMode, &o, NULL), STATUS_INVALID_HANDLE);
    KT_STATUS(ObReferenceObjectByHandle(NULL, 0, NULL, KernelMode, &o, NULL), STATUS_INVALID_HANDLE);
    KT_STATUS(ZwClose((HANDLE)0xFFFFFFFF80000404ULL), STATUS_INVALID_HANDLE);
    KT_STATUS(PsCreateSystemThread(NULL, 0, NULL, NULL, NULL, KtpRecordThread, NULL), STATUS_INVALID_PARAMETER);
}

static NTSTATUS KtpExitCode;
static VOID KtpTerminateEarly(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    PsTerminateSystemThread(KtpExitCode);
    KtpRan = 99; /* never reached */
}

KTEST(thread, terminate_sets_exit_status_and_signals_waiters)
{
    KtpRan = 0;
    KtpExitCode = (NTSTATUS)0xC0001234;
    PKTHREAD t = KtStartThread(KtpTerminateEarly, NULL, 9);
    KT_ASSERT(t);
    KT_EQ(t->State, Terminated); /* higher priority: it ran and ended inside the create */
    KT_EQ(t->ExitStatus, (NTSTATUS)0xC0001234);
    KT_EQ(KtpRan, 0);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}

/* The defining property of DISPATCH_LEVEL: a higher-priority thread made ready while the
 * current thread spins at DISPATCH_LEVEL across several clock ticks does not run until
 * IRQL drops, and then at once. */
static KEVENT KtpGo;
static volatile LONG KtpHighRan;
static volatile ULONG64 KtpHighRanAtTick;
static VOID KtpHighPriorityWaiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&KtpGo, Executive, KernelMode, FALSE, NULL);
    KtpHighRanAtTick = KiTickCount;
    KtpHighRan = 1;
}

KTEST(thread, no_switch_at_dispatch_level_across_clock_ticks)
{
    KIRQL old;
    KtpHighRan = 0;
    KeInitializeEvent(&KtpGo, NotificationEvent, FALSE);
    PKTHREAD t = KtStartThread(KtpHighPriorityWaiter, NULL, 20);
    KT_ASSERT(t);
    KT_EQ(t->State, Waiting);
    ULONG64 switches = KiContextSwitches;

    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeSetEvent(&KtpGo, 0, FALSE);
    KT_EQ(t->State, Ready);
    ULONG64 t0 = KiTickCount;
    while (KiTickCount - t0 < 5) /* clock interrupts keep arriving: CLOCK_LEVEL > DISPATCH */
        _mm_pause();
    BOOLEAN ranEarly = KtpHighRan != 0;
    ULONG64 switchesAtDispatch = KiContextSwitches - switches;
    BOOLEAN dispatchPending = HalIsInterruptPending(DISPATCH_VECTOR);
    ULONG64 lowered = KiTickCount;
    KeLowerIrql(old);
    BOOLEAN ranNow = KtpHighRan != 0; /* the very next statement after lowering */

    KT_ASSERT(!ranEarly);
    KT_EQ(switchesAtDispatch, 0);
    KT_ASSERT(dispatchPending);
    KT_ASSERT(ranNow);
    KT_ASSERT(KtpHighRanAtTick - lowered <= 1);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}

KTEST(thread, higher_priority_thread_preempts_at_once_at_passive)
{
    KtpHighRan = 0;
    KeInitializeEvent(&KtpGo, SynchronizationEvent, FALSE);
    PKTHREAD t = KtStartThread(KtpHighPriorityWaiter, NULL, 20);
    KT_ASSERT(t);
    KeSetEvent(&KtpGo, 0, FALSE);
    KT_EQ(KtpHighRan, 1); /* ran before KeSetEvent returned */
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}

KTEST(thread, lower_priority_thread_waits_for_the_cpu)
{
    KtpRan = 0;
    PKTHREAD t = KtStartThread(KtpRecordThread, (PVOID)3, 4);
    KT_ASSERT(t);
    KtBusyWaitMs(10); /* CPU-bound at priority 8: priority 4 never gets a quantum */
    KT_EQ(KtpRan, 0);
    KT_EQ(t->State, Ready);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS); /* waiting lets it run */
    KT_EQ(KtpRan, 3);
}

/* Two CPU-bound threads of equal priority both make progress: the clock ends each one's
 * quantum and the DISPATCH interrupt rotates them. */
static volatile BOOLEAN KtpStop;
typedef struct { volatile ULONG64 Work; volatile ULONG Slices; } KTP_SPINNER;
static VOID KtpSpinner(PVOID Context)
{
    KTP_SPINNER *s = Context;
    ULONG64 last = KiTickCount;
    while (!KtpStop) {
        s->Work++;
        ULONG64 now = KiTickCount;
        if (now - last > 1) /* the clock ran on without us: we were switched out */
            s->Slices++;
        last = now;
    }
}

KTEST(thread, equal_priority_cpu_bound_threads_round_robin)
{
    static KTP_SPINNER a, b;
    RtlZeroMemory(&a, sizeof(a));
    RtlZeroMemory(&b, sizeof(b));
    KtpStop = FALSE;
    /* Above the spinners, so that this thread gets the CPU back when its delay ends. */
    KeSetPriorityThread(KeGetCurrentThread(), 12);
    PKTHREAD ta = KtStartThread(KtpSpinner, &a, 10);
    PKTHREAD tb = KtStartThread(KtpSpinner, &b, 10);
    KT_ASSERT(ta && tb);
    LARGE_INTEGER d = KtMs(5);
    for (int i = 0; i < 400 && (a.Slices < 3 || b.Slices < 3); i++) /* ~40 ms unless the host is slow */
        KeDelayExecutionThread(KernelMode, FALSE, &d);
    KtpStop = TRUE;
    KeSetPriorityThread(KeGetCurrentThread(), KI_DEFAULT_PRIORITY);
    KT_STATUS(KtJoinThread(ta, 200), STATUS_SUCCESS);
    KT_STATUS(KtJoinThread(tb, 200), STATUS_SUCCESS);
    DbgPrint("# spinner A: %llu iterations, %u slices; B: %llu iterations, %u slices\n", a.Work, a.Slices,
             b.Work, b.Slices);
    KT_ASSERT(a.Work > 0 && b.Work > 0);
    KT_ASSERT(a.Slices >= 3 && b.Slices >= 3); /* each was switched out and back repeatedly */
}

KTEST(thread, set_priority_returns_old_and_rejects_out_of_range)
{
    PKTHREAD t = KeGetCurrentThread();
    KT_EQ(KeSetPriorityThread(t, 9), KI_DEFAULT_PRIORITY);
    KT_EQ(KeQueryPriorityThread(t), 9);
    KT_EQ(KeSetPriorityThread(t, 40), 9);
    KT_EQ(KeSetPriorityThread(t, -1), 9);
    KT_EQ(KeSetPriorityThread(t, KI_DEFAULT_PRIORITY), 9);
}

KTEST(thread, idle_thread_runs_when_all_threads_wait)
{
    ULONG64 idle = KiIdleThread->ContextSwitches;
    LARGE_INTEGER d = KtMs(3);
    KT_STATUS(KeDelayExecutionThread(KernelMode, FALSE, &d), STATUS_SUCCESS);
    KT_ASSERT(KiIdleThread->ContextSwitches > idle);
    KT_EQ(KeGetCurrentPrcb()->InterruptNesting, 0); /* per thread: balanced across switches */
}

KTEST(thread, dump_lists_every_thread)
{
    ULONG n = 0;
    for (PLIST_ENTRY e = KiThreadListHead.Flink; e != &KiThreadListHead; e = e->Flink)
        n++;
    KT_ASSERT(n >= 7); /* initial, idle, five workers */
    KeDumpThreads();
}
