/* io/iocall.c - IoCallDriver: one stack location down, then the driver's dispatch routine.
 * Under I/O verification each call keeps a frame so the routine's IRQL and pending
 * discipline can be judged when it returns, even if the IRP completed meanwhile. */
#include "iop.h"

LIST_ENTRY IopFrames = { &IopFrames, &IopFrames };
static KSPIN_LOCK IopFrameLock;

/* Frames are touched from dispatch routines and from completion at DISPATCH_LEVEL (DPCs),
 * so the list is guarded with interrupts off as well as by the lock. */
static ULONG64 IopLockFrames(void)
{
    return KiAcquireSpinLockInterruptsOff(&IopFrameLock);
}
static VOID IopUnlockFrames(ULONG64 f)
{
    KiReleaseSpinLockInterruptsOff(&IopFrameLock, f);
}

/* The completion walk is leaving Location: remember whether it was marked pending. */
VOID IopFrameLocationPassed(PIRP Irp, PIO_STACK_LOCATION Location)
{
    ULONG64 f = IopLockFrames();
    for (PLIST_ENTRY e = IopFrames.Flink; e != &IopFrames; e = e->Flink) {
        PIOP_CALL_FRAME fr = CONTAINING_RECORD(e, IOP_CALL_FRAME, Link);
        if (fr->Irp == Irp && fr->Location == Location && !fr->Passed) {
            fr->Passed = TRUE;
            fr->Marked = (Location->Control & SL_PENDING_RETURNED) != 0;
        }
    }
    IopUnlockFrames(f);
}

/* IoFreeIrp on an IRP a frame still watches: the frame frees it when it unwinds. Called
 * only when there are frames (IopFrameDeferFree, iop.h). */
BOOLEAN IopFrameDeferFreeSlow(PIRP Irp)
{
    BOOLEAN deferred = FALSE;
    ULONG64 f = IopLockFrames();
    for (PLIST_ENTRY e = IopFrames.Flink; e != &IopFrames; e = e->Flink) {
        PIOP_CALL_FRAME fr = CONTAINING_RECORD(e, IOP_CALL_FRAME, Link);
        if (fr->Irp == Irp) {
            fr->FreeDeferred = TRUE;
            Irp->Type = 0;
            deferred = TRUE;
            break;
        }
    }
    IopUnlockFrames(f);
    return deferred;
}

/* IoCallDriver returns STATUS_PENDING for a forced-pending call: the caller's frame sees its
 * lower driver pended, whatever the driver below returned. */
VOID IopFrameLowerPended(PIRP Irp)
{
    ULONG64 f = IopLockFrames();
    for (PLIST_ENTRY e = IopFrames.Flink; e != &IopFrames; e = e->Flink) {
        PIOP_CALL_FRAME fr = CONTAINING_RECORD(e, IOP_CALL_FRAME, Link);
        if (fr->Irp == Irp) {
            fr->LowerPended = TRUE;
            break;
        }
    }
    IopUnlockFrames(f);
}

/* Unlinks Frame; passes "lower driver pended" and "free deferred" to the enclosing frame of
 * the same IRP. Returns TRUE if the IRP should be freed now; *Marked: whether the routine
 * marked its location pending. That is read here, under the lock with interrupts off: the
 * IRP may complete from an interrupt's DPC at any instruction after the dispatch routine
 * returned, and the walk records Passed/Marked and then zeroes the location, so reading
 * Passed and the location outside the lock could see "not passed" and then a zeroed location
 * (a false 0x23D; found by the campaign, fault=disk:jitter=400,reorder,spurious=20 seed 5006). */
static BOOLEAN IopPopFrame(PIOP_CALL_FRAME Frame, NTSTATUS Status, PBOOLEAN Marked)
{
    BOOLEAN freeNow = FALSE;
    ULONG64 f = IopLockFrames();
    *Marked = Frame->Passed ? Frame->Marked : (Frame->Location->Control & SL_PENDING_RETURNED) != 0;
    PIOP_CALL_FRAME outer = NULL;
    for (PLIST_ENTRY e = Frame->Link.Flink; e != &IopFrames; e = e->Flink) {
        PIOP_CALL_FRAME fr = CONTAINING_RECORD(e, IOP_CALL_FRAME, Link);
        if (fr->Irp == Frame->Irp) {
            outer = fr;
            break;
        }
    }
    RemoveEntryList(&Frame->Link);
    if (outer && Status == STATUS_PENDING)
        outer->LowerPended = TRUE;
    if (Frame->FreeDeferred) {
        if (outer)
            outer->FreeDeferred = TRUE;
        else
            freeNow = TRUE;
    }
    IopUnlockFrames(f);
    return freeNow;
}

static NTSTATUS IopCallVerified(PDEVICE_OBJECT DeviceObject, PIRP Irp, PIO_STACK_LOCATION Sp, PDRIVER_DISPATCH Dispatch,
                                KIRQL Irql)
{
    IOP_CALL_FRAME frame = { .Irp = Irp, .Location = Sp };
    UCHAR major = Sp->MajorFunction;
    CHAR location = Irp->CurrentLocation;
    BOOLEAN oplock = IopIsOplockRequest(Sp);
    PDRIVER_OBJECT driver = DeviceObject->DriverObject;
    ULONG64 f = IopLockFrames();
    InsertHeadList(&IopFrames, &frame.Link);
    IopUnlockFrames(f);

    IOP_TRACE_BEGIN begin = IopTraceBegin(Irp);
    NTSTATUS status = Dispatch(DeviceObject, Irp);

    KIRQL after = KeGetCurrentIrql();
    BOOLEAN marked;
    BOOLEAN freeNow = IopPopFrame(&frame, status, &marked);
    IopTrace(IO_TRACE_DISPATCH, Irp, DeviceObject, driver, major, location, marked, (PVOID)Dispatch, status, begin);
    if (after != Irql)
        IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x05, (ULONG_PTR)DeviceObject, Irql, after,
                        DeviceObject, (PVOID)Dispatch);
    if (oplock && (status == STATUS_PENDING || marked))
        IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, IOV_OPLOCK_PENDED, (ULONG_PTR)Dispatch, (ULONG_PTR)Irp,
                        (ULONG_PTR)DeviceObject, DeviceObject, (PVOID)Dispatch);
    if (status == STATUS_PENDING && !marked && !frame.LowerPended)
        IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x23D, (ULONG_PTR)Dispatch, (ULONG_PTR)Irp,
                        (ULONG_PTR)DeviceObject, DeviceObject, (PVOID)Dispatch);
    if (marked && status != STATUS_PENDING)
        IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x23E, (ULONG_PTR)Dispatch, (ULONG_PTR)Irp,
                        (ULONG_PTR)DeviceObject, DeviceObject, (PVOID)Dispatch);
    if (freeNow)
        IopFreeIrpNow(Irp);
    return status;
}

_Static_assert(VfSitePending == 7 && IOP_CALL_SLOW_VERIFIER == VERIFIER_IO_CHECKING &&
                   IOP_IRP_DISPATCHED_FLAG == IOP_IRP_DISPATCHED,
               "wdm/io.h's inline IoCallDriver tests the words this routine checks");

/* IRQL <= DISPATCH_LEVEL. Returns what the dispatch routine returned. The checked routine:
 * the inline IoCallDriver (wdm/io.h) calls here whenever a check, a fault rule or the trace is
 * on, and for the call with no stack location left. */
NTSTATUS (IofCallDriver)(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql = KeGetCurrentIrql();
    BOOLEAN verify = IopVerifying();
    if (verify) {
        if (irql > DISPATCH_LEVEL)
            IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x10, irql, 0, 0, DeviceObject,
                            __builtin_return_address(0));
        if (!Irp || Irp->Type != IO_TYPE_IRP)
            IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x03, (ULONG_PTR)Irp, 0, 0, DeviceObject,
                            __builtin_return_address(0));
        if (!DeviceObject || DeviceObject->Type != IO_TYPE_DEVICE)
            IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x04, (ULONG_PTR)DeviceObject, 0, 0, NULL,
                            __builtin_return_address(0));
    }
    if (VfSiteArmed(VfSitePending) && VfForcePending(DeviceObject, Irp, __builtin_return_address(0))) {
        (IofCallDriver)(DeviceObject, Irp); /* Force Pending I/O (kernel/vf): completion comes later */
        IopFrameLowerPended(Irp);
        return STATUS_PENDING;
    }
    Irp->CurrentLocation--;
    if (Irp->CurrentLocation <= 0) {
        KiSetBugCheckCulprit(IopDriverNameA(DeviceObject->DriverObject), __builtin_return_address(0));
        KeBugCheckEx(BUGPARAMS_35(Irp));
    }
    PIO_STACK_LOCATION sp = --Irp->Tail.Overlay.CurrentStackLocation;
    sp->DeviceObject = DeviceObject;
    Irp->IopState |= IOP_IRP_DISPATCHED;
    PDRIVER_OBJECT driver = DeviceObject->DriverObject;
    PDRIVER_DISPATCH dispatch = driver->MajorFunction[sp->MajorFunction];
    if (verify)
        return IopCallVerified(DeviceObject, Irp, sp, dispatch, irql);
    UCHAR major = sp->MajorFunction;
    CHAR location = Irp->CurrentLocation;
    IOP_TRACE_BEGIN begin = IopTraceBegin(Irp);
    NTSTATUS status = dispatch(DeviceObject, Irp);
    IopTrace(IO_TRACE_DISPATCH, Irp, DeviceObject, driver, major, location, status == STATUS_PENDING, (PVOID)dispatch,
             status, begin);
    return status;
}

NTSTATUS (IoCallDriver)(PDEVICE_OBJECT DeviceObject, PIRP Irp) { return (IofCallDriver)(DeviceObject, Irp); }
