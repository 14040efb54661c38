/* ke/kthread.h - the thread object and the dispatcher's private interface (ready queues,
 * wait blocks, timers, APC delivery) shared by the Ke files that implement them. */
#pragma once

/* Internal statuses and the ones raised as exceptions (ExRaiseStatus) on misuse. */
#define STATUS_KERNEL_APC ((NTSTATUS)0x00000100L) /* a wait interrupted to deliver a kernel APC */
#ifndef STATUS_MUTANT_NOT_OWNED
#define STATUS_MUTANT_NOT_OWNED ((NTSTATUS)0xC0000046L)
#endif
#ifndef STATUS_SEMAPHORE_LIMIT_EXCEEDED
#define STATUS_SEMAPHORE_LIMIT_EXCEEDED ((NTSTATUS)0xC0000047L)
#endif

/* Bug-check codes this part of the kernel raises. */
#define APC_INDEX_MISMATCH 0x01
#define MAXIMUM_WAIT_OBJECTS_EXCEEDED 0x0C
#define KERNEL_APC_PENDING_DURING_EXIT 0x20
#define ATTEMPTED_SWITCH_FROM_DPC 0xB8
#define WORKER_THREAD_RETURNED_AT_BAD_IRQL 0xE1

/* DISPATCHER_HEADER.Type values, numbered as Windows numbers them. */
#define EventNotificationObject 0
#define EventSynchronizationObject 1
#define MutantObject 2
#define SemaphoreObject 5
#define ThreadObject 6
#define TimerNotificationObject 8
#define TimerSynchronizationObject 9
#define ApcObject 0x12

typedef enum _KTHREAD_STATE { Initialized, Ready, Running, Standby, Terminated, Waiting } KTHREAD_STATE;

#define KI_THREAD_STACK_PAGES 4
#define KI_DEFAULT_PRIORITY 8   /* where Windows starts system threads */
#define KI_DEFAULT_QUANTUM 2    /* clock ticks; boot option quantum=N */

typedef struct _KTHREAD {
    DISPATCHER_HEADER Header;   /* signaled once the thread has terminated */
    ULONG64 SavedRsp;           /* while switched out: where KiSwapContext left its registers */
    PVOID StackTop;
    ULONG StackPages;
    ULONG Id;
    volatile UCHAR State;       /* KTHREAD_STATE */
    UCHAR WaitIrql;             /* IRQL the thread waits at (and returns to) */
    UCHAR WaitReason;
    UCHAR WaitType;
    LONG Priority;
    LONG BasePriority;          /* Priority less any wait boost still decaying (boost.c) */
    BOOLEAN WaitNext;           /* KeSetEvent(Wait = TRUE): the next wait starts inside the set */
    volatile LONG Quantum;      /* ticks left; the clock interrupt counts it down */
    LIST_ENTRY ReadyListEntry;
    LIST_ENTRY ThreadListEntry; /* every thread, for KeDumpThreads */
    /* Waiting. */
    PKWAIT_BLOCK WaitBlockList;
    ULONG WaitCount;
    volatile NTSTATUS WaitStatus;
    ULONG64 WaitDueTime;        /* interrupt time the wait times out at, 0 for none */
    KWAIT_BLOCK WaitBlock[THREAD_WAIT_OBJECTS];
    KWAIT_BLOCK TimerWaitBlock;
    KTIMER Timer;               /* the timeout of the current wait */
    /* Kernel APCs. Both disable counts are positive depths here; reports convert them
     * to Windows' combined negative form. */
    LIST_ENTRY ApcListHead;     /* special APCs first, then normal ones */
    volatile BOOLEAN KernelApcPending;
    volatile BOOLEAN KernelApcInProgress;
    BOOLEAN ApcQueueable;
    volatile SHORT KernelApcDisable;  /* critical regions and owned KMUTEXes */
    volatile SHORT SpecialApcDisable; /* guarded regions */
    LIST_ENTRY MutantListHead;
    ULONG InterruptNesting;     /* the processor's count, saved while switched out */
    /* Lifetime. */
    PKSTART_ROUTINE StartRoutine;
    PVOID StartContext;
    NTSTATUS ExitStatus;
    WORK_QUEUE_ITEM ReaperItem;
    ULONG64 ContextSwitches;
    CHAR Name[16];
    PVOID ExceptionList; /* structured exception handling frames (rtl/seh.c), innermost first */
    /* Multiprocessor state (sched.c). */
    volatile ULONG Processor;   /* where it runs or last ran */
    KAFFINITY Affinity;         /* the processors it may run on (KeSetSystemAffinityThreadEx) */
    KAFFINITY UserAffinity;     /* what KeRevertToUserAffinityThreadEx(0) restores */
    BOOLEAN SystemAffinityActive;
    UCHAR IdealProcessor;       /* preferred on a tie (KeSetIdealProcessorThread) */
    volatile BOOLEAN SwapBusy;  /* its stack is still in use by the switch that left it */
    KI_DEADLOCK_HELD DeadlockHeld; /* locks it holds, for Verifier's deadlock detection */
} KTHREAD;

extern PKTHREAD KiIdleThread;
extern PKTHREAD KiInitialThread;
extern LIST_ENTRY KiThreadListHead;
extern ULONG KiQuantumTicks;
extern volatile ULONG64 KiContextSwitches;

/* The dispatcher database is guarded by the dispatcher lock, a queued spin lock taken at
 * DISPATCH_LEVEL (the clock interrupt only counts quanta and reads the next timer due
 * time). A thread that switches away while holding it leaves it to the thread it switches
 * to, which releases it: KiThreadStartup for a new thread. */
FORCEINLINE KIRQL KiAcquireDispatcherDatabase(void)
{
    KIRQL old = (KIRQL)__readcr8();
    if (old < DISPATCH_LEVEL)
        __writecr8(DISPATCH_LEVEL);
    KiAcquireQueuedLock(KI_DISPATCHER_LOCK);
    return old;
}
FORCEINLINE VOID KiReleaseDispatcherDatabase(KIRQL Old)
{
    KiReleaseQueuedLock(KI_DISPATCHER_LOCK);
    if (Old < DISPATCH_LEVEL)
        __writecr8(Old);
}

/* Scheduler (sched.c), at DISPATCH_LEVEL. */
VOID KiReadyThread(PKTHREAD Thread);
VOID KiSwapThread(KIRQL OwnerIrql); /* the current thread has left Running; run the best ready one */
VOID KiFinishSwitch(void); /* on the new stack: the thread switched from may now run elsewhere */
BOOLEAN KiIsIdleThread(PKTHREAD Thread);
VOID KiWidenBootAffinity(void); /* mpinit.c: threads made before the APs started get them too */
VOID KiYieldThread(void); /* IRQL < DISPATCH_LEVEL: let ready threads of equal priority run */
VOID KiSwapContext(ULONG64 *OldRsp, ULONG64 NewRsp); /* switch.S */
VOID KiThreadStartupThunk(void);
VOID KiInitializeScheduler(void);
PCSTR KiThreadStateName(ULONG State);

/* Threads (thread.c). */
NTSTATUS KiCreateSystemThread(PKSTART_ROUTINE StartRoutine, PVOID StartContext, KPRIORITY Priority,
                              PCSTR Name, PKTHREAD *Thread); /* returns a referenced thread */
NTSTATUS KiCreateSystemThreadEx(PKSTART_ROUTINE StartRoutine, PVOID StartContext, KPRIORITY Priority,
                                PCSTR Name, KAFFINITY Affinity, PKTHREAD *Thread);
VOID KiInitializeThreads(void);
PKTHREAD KiCreateIdleThread(ULONG Processor); /* an application processor's, Running */
DECLSPEC_NORETURN VOID KiIdleLoop(void);
VOID KiReferenceThread(PKTHREAD Thread);
VOID KiDereferenceThread(PKTHREAD Thread);

/* Waits (wait.c), at DISPATCH_LEVEL. */
VOID KiWaitTest(DISPATCHER_HEADER *Object); /* KiWaitTestEx with no boost */
VOID KiWaitTestEx(DISPATCHER_HEADER *Object, KPRIORITY Increment);
VOID KiUnwaitThread(PKTHREAD Thread, NTSTATUS Status, KPRIORITY Increment);
BOOLEAN KiIsObjectSignaled(DISPATCHER_HEADER *Object, PKTHREAD Thread);
NTSTATUS KiSatisfyWait(DISPATCHER_HEADER *Object, PKTHREAD Thread); /* STATUS_ABANDONED or 0 */
KIRQL KiBeginWait(void); /* the dispatcher database for a wait: already held after a Wait = TRUE set */
VOID KiEndSignal(KIRQL Irql, BOOLEAN Wait); /* release it, or keep it for the wait that follows */
VOID KiRundownMutants(PKTHREAD Thread); /* an exiting thread abandons the mutants it owns */

/* Priority boosts (boost.c), at DISPATCH_LEVEL. */
VOID KiBoostPriority(PKTHREAD Thread, KPRIORITY Increment);
BOOLEAN KiDecayPriority(PKTHREAD Thread); /* at quantum end: one level back towards the base */
PCSTR KiObjectTypeName(ULONG Type);

/* Timers (timer.c). Due times are interrupt time (KeQueryInterruptTime units). */
VOID KiInsertTimer(PKTIMER Timer, ULONG64 DueTime, LONG Period, PKDPC Dpc); /* DISPATCH_LEVEL */
BOOLEAN KiRemoveTimer(PKTIMER Timer);                                     /* DISPATCH_LEVEL */
VOID KiTimerClockTick(void);                                              /* CLOCK_LEVEL */
VOID KiInitializeTimers(void);
ULONG64 KiComputeDueTime(PLARGE_INTEGER Interval);

/* APCs (apc.c). */
BOOLEAN KiApcDeliverable(PKTHREAD Thread);
VOID KiApcInterrupt(PKTRAP_FRAME TrapFrame);
VOID KiRundownApcs(PKTHREAD Thread);
ULONG KiCombinedApcDisable(PKTHREAD Thread); /* Windows' CombinedApcDisable encoding */

/* Verifier rule checks shared by the wait routines. */
VOID KiCheckWaitIrql(PVOID Object, PLARGE_INTEGER Timeout, PVOID Caller);

/* Executive worker threads (kernel/ex/worker.c). */
VOID ExpInitializeWorkerThreads(void);
VOID ExpWorkerThread(PVOID Queue);

/* Thread and wait report (thrdump.c). */
VOID KiDumpThread(PKTHREAD Thread);
