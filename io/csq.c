/* io/csq.c - cancel-safe IRP queues: the driver supplies the queue and its lock, the I/O
 * manager owns the cancel races (cancel routine, DriverContext[3], who completes what). */
#include "iop.h"

#define IOP_CSQ_SLOT(Irp) ((Irp)->Tail.Overlay.DriverContext[3])

static PIO_CSQ IopCsqOf(PIRP Irp)
{
    PVOID slot = IOP_CSQ_SLOT(Irp);
    PIO_CSQ_IRP_CONTEXT c = slot;
    return (c && c->Type == IO_TYPE_CSQ_IRP_CONTEXT) ? c->Csq : slot;
}

static VOID IopCsqForget(PIRP Irp)
{
    PIO_CSQ_IRP_CONTEXT c = IOP_CSQ_SLOT(Irp);
    if (c && c->Type == IO_TYPE_CSQ_IRP_CONTEXT)
        c->Irp = NULL;
    IOP_CSQ_SLOT(Irp) = NULL;
}

/* The cancel routine of every queued IRP: called by IoCancelIrp with the cancel spin lock. */
static VOID IopCsqCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;
    UNREFERENCED_PARAMETER(DeviceObject);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    PIO_CSQ csq = IopCsqOf(Irp);
    csq->CsqAcquireLock(csq, &irql);
    csq->CsqRemoveIrp(csq, Irp);
    IopCsqForget(Irp);
    csq->CsqReleaseLock(csq, irql);
    csq->CsqCompleteCanceledIrp(csq, Irp);
}

static NTSTATUS IopCsqInit(PIO_CSQ Csq, ULONG Type, PVOID Insert, PIO_CSQ_REMOVE_IRP Remove,
                           PIO_CSQ_PEEK_NEXT_IRP Peek, PIO_CSQ_ACQUIRE_LOCK Acquire, PIO_CSQ_RELEASE_LOCK Release,
                           PIO_CSQ_COMPLETE_CANCELED_IRP Complete)
{
    Csq->Type = Type;
    Csq->CsqInsertIrp = (PIO_CSQ_INSERT_IRP)Insert;
    Csq->CsqRemoveIrp = Remove;
    Csq->CsqPeekNextIrp = Peek;
    Csq->CsqAcquireLock = Acquire;
    Csq->CsqReleaseLock = Release;
    Csq->CsqCompleteCanceledIrp = Complete;
    Csq->ReservePointer = NULL;
    return STATUS_SUCCESS;
}

/* IRQL <= DISPATCH_LEVEL. */
NTSTATUS IoCsqInitialize(PIO_CSQ Csq, PIO_CSQ_INSERT_IRP CsqInsertIrp, PIO_CSQ_REMOVE_IRP CsqRemoveIrp,
                         PIO_CSQ_PEEK_NEXT_IRP CsqPeekNextIrp, PIO_CSQ_ACQUIRE_LOCK CsqAcquireLock,
                         PIO_CSQ_RELEASE_LOCK CsqReleaseLock, PIO_CSQ_COMPLETE_CANCELED_IRP CsqCompleteCanceledIrp)
{
    return IopCsqInit(Csq, IO_TYPE_CSQ, (PVOID)CsqInsertIrp, CsqRemoveIrp, CsqPeekNextIrp, CsqAcquireLock,
                      CsqReleaseLock, CsqCompleteCanceledIrp);
}

/* IRQL <= DISPATCH_LEVEL. */
NTSTATUS IoCsqInitializeEx(PIO_CSQ Csq, PIO_CSQ_INSERT_IRP_EX CsqInsertIrp, PIO_CSQ_REMOVE_IRP CsqRemoveIrp,
                           PIO_CSQ_PEEK_NEXT_IRP CsqPeekNextIrp, PIO_CSQ_ACQUIRE_LOCK CsqAcquireLock,
                           PIO_CSQ_RELEASE_LOCK CsqReleaseLock, PIO_CSQ_COMPLETE_CANCELED_IRP CsqCompleteCanceledIrp)
{
    return IopCsqInit(Csq, IO_TYPE_CSQ_EX, (PVOID)CsqInsertIrp, CsqRemoveIrp, CsqPeekNextIrp, CsqAcquireLock,
                      CsqReleaseLock, CsqCompleteCanceledIrp);
}

/* IRQL <= DISPATCH_LEVEL. A failed CsqInsertIrpEx leaves the IRP unqueued and returns its
 * status; the IRP is marked pending only once queued. */
NTSTATUS IoCsqInsertIrpEx(PIO_CSQ Csq, PIRP Irp, PIO_CSQ_IRP_CONTEXT Context, PVOID InsertContext)
{
    VF_DDI_CHECK(IoCsqInsertIrpEx);
    KIRQL irql;
    NTSTATUS st = STATUS_SUCCESS;
    Csq->CsqAcquireLock(Csq, &irql);
    if (Csq->Type == IO_TYPE_CSQ_EX)
        st = ((PIO_CSQ_INSERT_IRP_EX)(PVOID)Csq->CsqInsertIrp)(Csq, Irp, InsertContext);
    else
        Csq->CsqInsertIrp(Csq, Irp);
    if (!NT_SUCCESS(st)) {
        Csq->CsqReleaseLock(Csq, irql);
        return st;
    }
    IoMarkIrpPending(Irp);
    if (Context) {
        Context->Type = IO_TYPE_CSQ_IRP_CONTEXT;
        Context->Irp = Irp;
        Context->Csq = Csq;
        IOP_CSQ_SLOT(Irp) = Context;
    } else {
        IOP_CSQ_SLOT(Irp) = Csq;
    }
    IoSetCancelRoutine(Irp, IopCsqCancel);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL)) {
        /* cancelled before the routine was set: take it back out and complete it as cancelled */
        Csq->CsqRemoveIrp(Csq, Irp);
        IopCsqForget(Irp);
        Csq->CsqReleaseLock(Csq, irql);
        Csq->CsqCompleteCanceledIrp(Csq, Irp);
        return st;
    }
    Csq->CsqReleaseLock(Csq, irql);
    return st;
}

VOID IoCsqInsertIrp(PIO_CSQ Csq, PIRP Irp, PIO_CSQ_IRP_CONTEXT Context)
{
    IoCsqInsertIrpEx(Csq, Irp, Context, NULL);
}

/* Takes Irp out if its cancel routine is still set (so no cancel owns it); under the lock. */
static BOOLEAN IopCsqTake(PIO_CSQ Csq, PIRP Irp)
{
    if (!IoSetCancelRoutine(Irp, NULL))
        return FALSE; /* IoCancelIrp has it: IopCsqCancel will remove and complete it */
    Csq->CsqRemoveIrp(Csq, Irp);
    IopCsqForget(Irp);
    return TRUE;
}

/* IRQL <= DISPATCH_LEVEL. */
PIRP IoCsqRemoveIrp(PIO_CSQ Csq, PIO_CSQ_IRP_CONTEXT Context)
{
    VF_DDI_CHECK(IoCsqRemoveIrp);
    KIRQL irql;
    Csq->CsqAcquireLock(Csq, &irql);
    PIRP irp = Context->Irp;
    if (irp && !IopCsqTake(Csq, irp))
        irp = NULL;
    Csq->CsqReleaseLock(Csq, irql);
    return irp;
}

/* IRQL <= DISPATCH_LEVEL. The first IRP CsqPeekNextIrp offers that no cancel owns. */
PIRP IoCsqRemoveNextIrp(PIO_CSQ Csq, PVOID PeekContext)
{
    VF_DDI_CHECK(IoCsqRemoveNextIrp);
    KIRQL irql;
    Csq->CsqAcquireLock(Csq, &irql);
    PIRP irp = Csq->CsqPeekNextIrp(Csq, NULL, PeekContext);
    while (irp && !IopCsqTake(Csq, irp))
        irp = Csq->CsqPeekNextIrp(Csq, irp, PeekContext);
    Csq->CsqReleaseLock(Csq, irql);
    return irp;
}
