/* ke/thread.c - system threads: creation on their own kernel stacks, the first switch into
 * a new thread, termination and reaping; the boot context becomes the initial thread. */
#include "ki.h"
#include "../hal/hal.h"
#include "../../io/iop.h" /* the object manager: threads are objects with a header */

PKTHREAD KiInitialThread;
LIST_ENTRY KiThreadListHead;
static volatile LONG KipNextThreadId = 4;
extern char KiBootStackTop[];

/* The last reference (handles, ObReferenceObject, the reaper's) is gone: the stack went
 * before; the object manager frees the memory after this. IRQL <= DISPATCH_LEVEL. */
static VOID KipDeleteThread(PVOID Object)
{
    PKTHREAD t = Object;
    KIRQL irql = KiAcquireDispatcherDatabase();
    RemoveEntryList(&t->ThreadListEntry);
    KiReleaseDispatcherDatabase(irql);
}

static OBJECT_TYPE PspThreadType = { "Thread", 'erhT', KipDeleteThread, NULL };
static POBJECT_TYPE PspThreadTypePointer = &PspThreadType;
POBJECT_TYPE *PsThreadType = &PspThreadTypePointer;

/* A thread object with its one "alive" reference, which the reaper drops. */
static PKTHREAD KipAllocateThread(PCSTR Name, KPRIORITY Priority)
{
    PKTHREAD t;
    if (!NT_SUCCESS(ObCreateObject(&PspThreadType, sizeof(KTHREAD), NULL, (PVOID *)&t)))
        return NULL;
    RtlZeroMemory(t, sizeof(*t));
    t->Header.Type = ThreadObject;
    t->Header.Size = sizeof(KTHREAD) / sizeof(LONG);
    InitializeListHead(&t->Header.WaitListHead);
    InitializeListHead(&t->ApcListHead);
    InitializeListHead(&t->MutantListHead);
    KeInitializeTimerEx(&t->Timer, NotificationTimer);
    t->ApcQueueable = TRUE;
    t->Priority = Priority;
    t->BasePriority = Priority;
    t->Quantum = KiQuantumTicks;
    /* Every processor running now (system threads get the system affinity); threads made
     * before the application processors start are widened when they do. */
    t->Affinity = t->UserAffinity = KiActiveProcessors ? KiActiveProcessors : 1;
    t->Processor = t->IdealProcessor = (UCHAR)KeGetCurrentPrcb()->Number;
    t->Id = (ULONG)__atomic_fetch_add(&KipNextThreadId, 4, __ATOMIC_RELAXED);
    for (ULONG i = 0; Name && Name[i] && i + 1 < sizeof(t->Name); i++)
        t->Name[i] = Name[i];
    KIRQL irql = KiAcquireDispatcherDatabase();
    InsertTailList(&KiThreadListHead, &t->ThreadListEntry);
    KiReleaseDispatcherDatabase(irql);
    return t;
}

/* Every thread starts here, at DISPATCH_LEVEL with interrupts off (the switch that chose
 * it); system threads run at PASSIVE_LEVEL. */
DECLSPEC_NORETURN VOID KiThreadStartup(PKTHREAD Thread)
{
    KiFinishSwitch(); /* the thread switched from may run elsewhere once the lock goes */
    KiReleaseQueuedLock(KI_DISPATCHER_LOCK); /* taken by the thread that switched here */
    KiLowerIrqlRaw(PASSIVE_LEVEL);
    _enable();
    Thread->StartRoutine(Thread->StartContext);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

/* IRQL: PASSIVE_LEVEL. The internal creator: named, with a priority set before the thread
 * can first run. Returns a referenced thread (KiDereferenceThread when done). */
static NTSTATUS KipCreateThread(PKSTART_ROUTINE StartRoutine, PVOID StartContext, KPRIORITY Priority,
                                PCSTR Name, BOOLEAN MakeReady, KAFFINITY Affinity, PKTHREAD *Thread)
{
    PUCHAR top = MmCreateKernelStack(KI_THREAD_STACK_PAGES);
    if (!top)
        return STATUS_INSUFFICIENT_RESOURCES;
    PKTHREAD t = KipAllocateThread(Name, Priority);
    if (!t) {
        MmDeleteKernelStack(top, KI_THREAD_STACK_PAGES);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    t->StackTop = top;
    t->StackPages = KI_THREAD_STACK_PAGES;
    t->StartRoutine = StartRoutine;
    t->StartContext = StartContext;
    if (Affinity & KiActiveProcessors)
        t->Affinity = t->UserAffinity = Affinity & KiActiveProcessors;

    /* The frame KiSwapContext pops: r15 r14 r13 r12 rbx rbp rflags, then its return. */
    ULONG64 *sp = (ULONG64 *)(((ULONG64)top - 16) & ~15ULL);
    *--sp = (ULONG64)KiThreadStartupThunk;
    *--sp = 0x2;           /* rflags: interrupts off until KiThreadStartup */
    *--sp = 0;             /* rbp */
    *--sp = (ULONG64)t;    /* rbx */
    for (int i = 0; i < 4; i++)
        *--sp = 0;         /* r12..r15 */
    t->SavedRsp = (ULONG64)sp;

    KiReferenceThread(t); /* the caller's */
    if (MakeReady) {
        KIRQL irql = KiAcquireDispatcherDatabase();
        KiReadyThread(t);
        KiReleaseDispatcherDatabase(irql);
    }
    *Thread = t;
    return STATUS_SUCCESS;
}

NTSTATUS KiCreateSystemThread(PKSTART_ROUTINE StartRoutine, PVOID StartContext, KPRIORITY Priority,
                              PCSTR Name, PKTHREAD *Thread)
{
    return KipCreateThread(StartRoutine, StartContext, Priority, Name, TRUE, 0, Thread);
}

/* IRQL: PASSIVE_LEVEL. The same, confined from its first instruction to the processors in
 * Affinity (those of them that are active; none: every one). */
NTSTATUS KiCreateSystemThreadEx(PKSTART_ROUTINE StartRoutine, PVOID StartContext, KPRIORITY Priority,
                                PCSTR Name, KAFFINITY Affinity, PKTHREAD *Thread)
{
    return KipCreateThread(StartRoutine, StartContext, Priority, Name, TRUE, Affinity, Thread);
}

/* IRQL: PASSIVE_LEVEL. The thread runs at priority 8 until KeSetPriorityThread. The
 * handle works with ObReferenceObjectByHandle and ZwClose. */
NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                              HANDLE ProcessHandle, PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
                              PVOID StartContext)
{
    VF_DDI_CHECK(PsCreateSystemThread);
    UNREFERENCED_PARAMETER(ObjectAttributes);
    UNREFERENCED_PARAMETER(ProcessHandle);
    PKTHREAD t;
    if (!ThreadHandle || !StartRoutine)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS st = KiCreateSystemThread(StartRoutine, StartContext, KI_DEFAULT_PRIORITY, "system", &t);
    if (!NT_SUCCESS(st))
        return st;
    st = ObCreateHandle(t, DesiredAccess, ThreadHandle); /* the handle holds its own reference */
    if (NT_SUCCESS(st) && ClientId) {
        ClientId->UniqueProcess = (HANDLE)4;
        ClientId->UniqueThread = (HANDLE)(ULONG_PTR)t->Id;
    }
    KiDereferenceThread(t);
    return st; /* without a handle the thread still runs to its end */
}

/* IRQL <= DISPATCH_LEVEL. */
VOID KiReferenceThread(PKTHREAD Thread) { ObfReferenceObject(Thread); }
VOID KiDereferenceThread(PKTHREAD Thread) { ObfDereferenceObject(Thread); }

/* A delayed worker frees a terminated thread's stack: at PASSIVE_LEVEL, after the dying
 * thread has switched away for good (it queued this at DISPATCH_LEVEL). */
static VOID KipReapThread(PVOID Context)
{
    PKTHREAD t = Context;
    if (t->StackPages) /* the initial thread's boot stack is not Mm's */
        MmDeleteKernelStack(t->StackTop, t->StackPages);
    t->StackTop = NULL;
    KiDereferenceThread(t);
}

/* IRQL: PASSIVE_LEVEL, in the system thread that ends. A thread may not end inside a
 * critical or guarded region (KERNEL_APC_PENDING_DURING_EXIT, as Windows checks). */
NTSTATUS PsTerminateSystemThread(NTSTATUS ExitStatus)
{
    PKTHREAD t = KeGetCurrentThread();
    if (t->KernelApcDisable || t->SpecialApcDisable)
        KeBugCheckEx(KERNEL_APC_PENDING_DURING_EXIT, 0, KiCombinedApcDisable(t), KeGetCurrentIrql(), 0);
    KiRundownMutants(t);
    KiRundownApcs(t);
    KIRQL irql = KiAcquireDispatcherDatabase();
    t->ApcQueueable = FALSE;
    t->ExitStatus = ExitStatus;
    t->State = Terminated;
    t->Header.SignalState = 1;
    KiWaitTest(&t->Header);
    ExInitializeWorkItem(&t->ReaperItem, KipReapThread, t);
    ExQueueWorkItem(&t->ReaperItem, DelayedWorkQueue);
    KiSwapThread(irql); /* never readied again: this call does not return */
    __builtin_unreachable();
}

static DECLSPEC_NORETURN VOID KipIdleLoop(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (;;) {
        _enable();
        __halt(); /* sti;hlt is atomic: a wake-up cannot slip in between */
    }
}

/* IRQL: PASSIVE_LEVEL, at boot. An application processor's idle thread: the processor
 * starts on its stack and becomes it, so it is never made ready or started by a switch. */
PKTHREAD KiCreateIdleThread(ULONG Processor)
{
    static const char digits[] = "0123456789";
    char name[8] = "idle";
    PKTHREAD t;
    name[4] = digits[Processor % 10];
    if (!NT_SUCCESS(KipCreateThread(KipIdleLoop, NULL, 0, name, FALSE, 0, &t)))
        return NULL;
    t->State = Running;
    t->Processor = t->IdealProcessor = (UCHAR)Processor;
    t->Affinity = t->UserAffinity = (KAFFINITY)1 << Processor;
    return t;
}

/* IRQL: PASSIVE_LEVEL, once the application processors run: the threads made before them
 * (workers, the initial thread) had only the boot processor; they get every one. */
VOID KiWidenBootAffinity(void)
{
    KIRQL irql = KiAcquireDispatcherDatabase();
    for (PLIST_ENTRY e = KiThreadListHead.Flink; e != &KiThreadListHead; e = e->Flink) {
        PKTHREAD t = CONTAINING_RECORD(e, KTHREAD, ThreadListEntry);
        if (!KiIsIdleThread(t) && !t->SystemAffinityActive && t->Affinity == 1)
            t->Affinity = t->UserAffinity = KiActiveProcessors;
    }
    KiReleaseDispatcherDatabase(irql);
}

/* The loop an application processor's start-up ends in. */
DECLSPEC_NORETURN VOID KiIdleLoop(void)
{
    KipIdleLoop(NULL);
    __builtin_unreachable();
}

/* Called once by KiSystemStartup at PASSIVE_LEVEL with interrupts on: the boot context
 * becomes the initial system thread, then the idle thread and the worker threads exist. */
VOID KiInitializeThreads(void)
{
    PKTHREAD idle;
    InitializeListHead(&KiThreadListHead);
    KiInitializeTimers();
    PKTHREAD initial = KipAllocateThread("initial", KI_DEFAULT_PRIORITY);
    if (!initial)
        KeBugCheckEx(0x32 /* PHASE1_INITIALIZATION_FAILED */, STATUS_INSUFFICIENT_RESOURCES, 0, 0, 0);
    initial->StackTop = KiBootStackTop; /* StackPages 0: the boot stack is not Mm's */
    initial->State = Running;
    KIRQL irql = KiAcquireDispatcherDatabase();
    KiInitialThread = initial;
    KeGetCurrentPrcb()->CurrentThread = initial;
    KiInitializeScheduler();
    KiReleaseDispatcherDatabase(irql);

    /* The idle thread lives outside the ready queues: it runs when nothing else can. */
    NTSTATUS st = KipCreateThread(KipIdleLoop, NULL, 0, "idle", FALSE, 0, &idle);
    if (!NT_SUCCESS(st))
        KeBugCheckEx(0x32 /* PHASE1_INITIALIZATION_FAILED */, (ULONG_PTR)st, 0, 0, 0);
    idle->State = Ready;
    KiIdleThread = idle;
    KeGetCurrentPrcb()->IdleThread = idle;
    KiApcInterruptHook = KiApcInterrupt;
    ExpInitializeWorkerThreads();
    KiRegisterBugCheckReport(KeDumpThreads);
}
