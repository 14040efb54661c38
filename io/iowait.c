/* io/iowait.c - the I/O manager's bridge to the dispatcher: signalling a request's event,
 * and finishing a pended request in the thread that asked for it, through a special APC. */
#include "iop.h"

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
 * when the IRP names its thread (driver-built IRPs do not, and finish inline). */
BOOLEAN IopQueueCompletionApc(PIRP Irp, CCHAR Boost)
{
    PKTHREAD thread = Irp->Tail.Overlay.Thread;
    if (!thread)
        return FALSE;
    KeInitializeApc(&Irp->Tail.Apc, thread, OriginalApcEnvironment, IopCompletionApc, NULL, NULL, KernelMode, NULL);
    return KeInsertQueueApc(&Irp->Tail.Apc, NULL, NULL, Boost);
}

