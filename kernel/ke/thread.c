/* ke/thread.c - system threads: creation on their own kernel stacks, the first switch into
 * a new thread, termination and reaping; the boot context becomes the initial thread. */
#include "ki.h"
#include "../hal/hal.h"

KTHREAD KiInitialThread;
LIST_ENTRY KiThreadListHead;
static volatile LONG KipNextThreadId = 4;
extern char KiBootStackTop[];

static VOID KipInitializeThreadObject(PKTHREAD t, PCSTR Name, KPRIORITY Priority)
{
    RtlZeroMemory(t, sizeof(*t));
    t->Header.Type = ThreadObject;
    t->Header.Size = sizeof(KTHREAD) / sizeof(LONG);
    InitializeListHead(&t->Header.WaitListHead);
    InitializeListHead(&t->ApcListHead);
    InitializeListHead(&t->MutantListHead);
    KeInitializeTimerEx(&t->Timer, NotificationTimer);
    t->ApcQueueable = TRUE;
    t->Priority = Priority;
    t->Quantum = KiQuantumTicks;
    t->ReferenceCount = 1; /* dropped by the reaper once the thread is gone */
    t->Id = (ULONG)__atomic_fetch_add(&KipNextThreadId, 4, __ATOMIC_RELAXED);
    for (ULONG i = 0; Name && Name[i] && i + 1 < sizeof(t->Name); i++)
        t->Name[i] = Name[i];
    KIRQL irql = KiAcquireDispatcherDatabase();
    InsertTailList(&KiThreadListHead, &t->ThreadListEntry);
    KiReleaseDispatcherDatabase(irql);
}

/* Every thread starts here, at DISPATCH_LEVEL with interrupts off (the switch that chose
 * it); system threads run at PASSIVE_LEVEL. */
DECLSPEC_NORETURN VOID KiThreadStartup(PKTHREAD Thread)
{
    KiLowerIrqlRaw(PASSIVE_LEVEL);
    _enable();
    Thread->StartRoutine(Thread->StartContext);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

/* IRQL: PASSIVE_LEVEL. The internal creator: named, with a priority set before the thread
 * can first run. Returns a referenced thread (KiDereferenceThread when done). */
static NTSTATUS KipCreateThread(PKSTART_ROUTINE StartRoutine, PVOID StartContext, KPRIORITY Priority,
                                PCSTR Name, BOOLEAN MakeReady, PKTHREAD *Thread)
{
    PKTHREAD t = ExAllocatePoolWithTag(NonPagedPool, sizeof(KTHREAD), 'erhT');
    if (!t)
        return STATUS_INSUFFICIENT_RESOURCES;
    PUCHAR top = MmCreateKernelStack(KI_THREAD_STACK_PAGES);
    if (!top) {
        ExFreePoolWithTag(t, 'erhT');
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    KipInitializeThreadObject(t, Name, Priority);
    t->StackTop = top;
    t->StackPages = KI_THREAD_STACK_PAGES;
    t->StartRoutine = StartRoutine;
    t->StartContext = StartContext;

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
    return KipCreateThread(StartRoutine, StartContext, Priority, Name, TRUE, Thread);
}

/* IRQL: PASSIVE_LEVEL. The thread runs at priority 8 until KeSetPriorityThread. The
 * handle works with ObReferenceObjectByHandle and ZwClose. */
NTSTATUS PsCreateSystemThread(PHANDLE ThreadHandle, ULONG DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                              HANDLE ProcessHandle, PCLIENT_ID ClientId, PKSTART_ROUTINE StartRoutine,
                              PVOID StartContext)
{
    NTSTATUS ObpInsertHandle(PVOID Object, PHANDLE Handle);
    UNREFERENCED_PARAMETER(DesiredAccess);
    UNREFERENCED_PARAMETER(ObjectAttributes);
    UNREFERENCED_PARAMETER(ProcessHandle);
    PKTHREAD t;
    HANDLE h;
    if (!ThreadHandle || !StartRoutine)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS st = ObpInsertHandle(NULL, &h); /* reserve the slot before the thread exists */
    if (!NT_SUCCESS(st))
        return st;
    st = KiCreateSystemThread(StartRoutine, StartContext, KI_DEFAULT_PRIORITY, "system", &t);
    if (!NT_SUCCESS(st)) {
        ZwClose(h);
        return st;
    }
    VOID ObpSetHandleObject(HANDLE Handle, PVOID Object);
    ObpSetHandleObject(h, t); /* the handle keeps the creation reference */
    if (ClientId) {
        ClientId->UniqueProcess = (HANDLE)4;
        ClientId->UniqueThread = (HANDLE)(ULONG_PTR)t->Id;
    }
    *ThreadHandle = h;
    return STATUS_SUCCESS;
}

VOID KiReferenceThread(PKTHREAD Thread) { __atomic_add_fetch(&Thread->ReferenceCount, 1, __ATOMIC_RELAXED); }

/* IRQL <= DISPATCH_LEVEL. The last reference frees the thread object (its stack is gone
 * already: the reaper drops the thread's own reference after deleting it). */
VOID KiDereferenceThread(PKTHREAD Thread)
{
    if (__atomic_sub_fetch(&Thread->ReferenceCount, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    KIRQL irql = KiAcquireDispatcherDatabase();
    RemoveEntryList(&Thread->ThreadListEntry);
    KiReleaseDispatcherDatabase(irql);
    ExFreePoolWithTag(Thread, 'erhT');
}

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
    KiRundownApcs(t);
    KIRQL irql = KiAcquireDispatcherDatabase();
    UNREFERENCED_PARAMETER(irql);
    t->ApcQueueable = FALSE;
    t->ExitStatus = ExitStatus;
    t->State = Terminated;
    t->Header.SignalState = 1;
    KiWaitTest(&t->Header);
    ExInitializeWorkItem(&t->ReaperItem, KipReapThread, t);
    ExQueueWorkItem(&t->ReaperItem, DelayedWorkQueue);
    KiSwapThread(); /* never readied again: this call does not return */
    __builtin_unreachable();
}

static VOID KipIdleLoop(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (;;) {
        _enable();
        __halt(); /* sti;hlt is atomic: a wake-up cannot slip in between */
    }
}

/* Called once by KiSystemStartup at PASSIVE_LEVEL with interrupts on: the boot context
 * becomes the initial system thread, then the idle thread and the worker threads exist. */
VOID KiInitializeThreads(void)
{
    PKTHREAD idle;
    InitializeListHead(&KiThreadListHead);
    KiInitializeTimers();
    KIRQL irql = KiAcquireDispatcherDatabase();
    KiInitializeScheduler();
    KipInitializeThreadObject(&KiInitialThread, "initial", KI_DEFAULT_PRIORITY);
    KiInitialThread.StackTop = KiBootStackTop;
    KiInitialThread.State = Running;
    KiInitialThread.ReferenceCount = 1 << 30; /* never reaped */
    KeGetCurrentPrcb()->CurrentThread = &KiInitialThread;
    KiReleaseDispatcherDatabase(irql);

    /* The idle thread lives outside the ready queues: it runs when nothing else can. */
    NTSTATUS st = KipCreateThread(KipIdleLoop, NULL, 0, "idle", FALSE, &idle);
    if (!NT_SUCCESS(st))
        KeBugCheckEx(0x32 /* PHASE1_INITIALIZATION_FAILED */, (ULONG_PTR)st, 0, 0, 0);
    idle->State = Ready;
    KiIdleThread = idle;
    KiApcInterruptHook = KiApcInterrupt;
    ExpInitializeWorkerThreads();
    KiRegisterBugCheckReport(KeDumpThreads);
}
