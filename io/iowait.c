/* io/iowait.c - the I/O manager's bridge to the dispatcher. The requesting thread's APC and
 * the worker queue are used when the thread component is linked (weak references); until
 * then events fall back to weak definitions here: a wait spins with interrupts on for the
 * signal, which a DPC or ISR-driven completion delivers. Real definitions override these. */
#include "iop.h"

#pragma weak KeInitializeApc
#pragma weak KeInsertQueueApc
#pragma weak ExQueueWorkItem

/* ---- Fallback events (weak: the dispatcher's definitions win when linked) ---- */
__attribute__((weak)) VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    Event->Header.Type = (UCHAR)Type;
    Event->Header.SignalState = State ? 1 : 0;
    InitializeListHead(&Event->Header.WaitListHead);
}

__attribute__((weak)) LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    UNREFERENCED_PARAMETER(Increment);
    UNREFERENCED_PARAMETER(Wait);
    return __atomic_exchange_n(&Event->Header.SignalState, 1, __ATOMIC_SEQ_CST);
}

__attribute__((weak)) VOID KeClearEvent(PRKEVENT Event) { Event->Header.SignalState = 0; }

__attribute__((weak)) LONG KeResetEvent(PRKEVENT Event)
{
    return __atomic_exchange_n(&Event->Header.SignalState, 0, __ATOMIC_SEQ_CST);
}

__attribute__((weak)) LONG KeReadStateEvent(PRKEVENT Event) { return Event->Header.SignalState; }

/* Only events can be waited on without the dispatcher. With no timeout the wait lasts
 * until an interrupt path signals the event. */
__attribute__((weak)) NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                                                     BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    PKEVENT e = Object;
    UNREFERENCED_PARAMETER(WaitReason);
    UNREFERENCED_PARAMETER(WaitMode);
    UNREFERENCED_PARAMETER(Alertable);
    if (Timeout && Timeout->QuadPart == 0)
        return e->Header.SignalState ? STATUS_SUCCESS : STATUS_TIMEOUT;
    while (!__atomic_load_n(&e->Header.SignalState, __ATOMIC_SEQ_CST))
        _mm_pause();
    if (e->Header.Type == SynchronizationEvent)
        e->Header.SignalState = 0;
    return STATUS_SUCCESS;
}

VOID IopSignalEvent(PKEVENT Event) { KeSetEvent(Event, IO_NO_INCREMENT, FALSE); }

/* ---- The requesting thread's completion APC ---- */
VOID IopFinishRequest(PIRP Irp);

static VOID IopCompletionApc(PKAPC Apc, PKNORMAL_ROUTINE *NormalRoutine, PVOID *NormalContext, PVOID *Arg1,
                             PVOID *Arg2)
{
    UNREFERENCED_PARAMETER(NormalRoutine);
    UNREFERENCED_PARAMETER(NormalContext);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
    IopFinishRequest(CONTAINING_RECORD(Apc, IRP, Tail.Apc));
}

/* A pended request finishes in the thread that asked for it, through a special kernel APC,
 * when threads exist and the IRP names its thread. */
BOOLEAN IopQueueCompletionApc(PIRP Irp, CCHAR Boost)
{
    PKTHREAD thread = Irp->Tail.Overlay.Thread;
    if (!KeInitializeApc || !KeInsertQueueApc || !thread)
        return FALSE;
    KeInitializeApc(&Irp->Tail.Apc, thread, OriginalApcEnvironment, IopCompletionApc, NULL, NULL, KernelMode, NULL);
    return KeInsertQueueApc(&Irp->Tail.Apc, NULL, NULL, Boost);
}

BOOLEAN IopWorkerQueueAvailable(void) { return ExQueueWorkItem != NULL; }
