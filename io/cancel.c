/* io/cancel.c - IRP cancellation: the global cancel spin lock and IoCancelIrp, which calls
 * the cancel routine with that lock held (the routine releases it). */
#include "iop.h"

static KSPIN_LOCK IopCancelSpinLock;

/* IRQL <= DISPATCH_LEVEL. */
VOID IoAcquireCancelSpinLock(PKIRQL Irql) { KeAcquireSpinLock(&IopCancelSpinLock, Irql); }

/* IRQL == DISPATCH_LEVEL (holding the lock). */
VOID IoReleaseCancelSpinLock(KIRQL Irql) { KeReleaseSpinLock(&IopCancelSpinLock, Irql); }

/* IRQL <= DISPATCH_LEVEL. Marks the IRP cancelled; if a cancel routine is set, takes it
 * (atomically, so a completing driver that clears it first wins) and calls it. */
BOOLEAN IoCancelIrp(PIRP Irp)
{
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    Irp->Cancel = TRUE;
    PDRIVER_CANCEL routine = IoSetCancelRoutine(Irp, NULL);
    if (!routine) {
        IoReleaseCancelSpinLock(irql);
        return FALSE;
    }
    if (Irp->CurrentLocation > (CHAR)(Irp->StackCount + 1)) {
        KiSetBugCheckCulprit(NULL, (PVOID)routine);
        KeBugCheckEx(CANCEL_STATE_IN_COMPLETED_IRP, (ULONG_PTR)Irp, (ULONG_PTR)routine, 0, 0);
    }
    Irp->CancelIrql = irql;
    routine(IoGetCurrentIrpStackLocation(Irp)->DeviceObject, Irp);
    return TRUE;
}
