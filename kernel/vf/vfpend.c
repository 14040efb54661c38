/* kernel/vf/vfpend.c - Force Pending I/O, as Driver Verifier does it: IoCallDriver returns
 * STATUS_PENDING to its caller, and the completion reaches the caller later, from a timer DPC,
 * however the driver below completed. Every PendingReturned path above then runs. */
#include "vfp.h"

#define VF_MAX_PENDS 32

/* One forced request: the completion slot of the location handed down, saved while ours
 * stands in it, and the timer that resumes the walk. */
typedef struct _VF_PEND {
    PIRP Irp;
    PIO_COMPLETION_ROUTINE Routine;
    PVOID Context;
    UCHAR Control;
    PDEVICE_OBJECT Device;
    KTIMER Timer;
    KDPC Dpc;
} VF_PEND;
static VF_PEND VfpPends[VF_MAX_PENDS];

static KDEFERRED_ROUTINE VfpPendDpc;

/* DISPATCH_LEVEL: the caller's turn, one timer tick after the driver below completed. As
 * IoCompleteRequest would have: PendingReturned set, the caller's routine called if its
 * invoke flags match, else pending climbs; then the walk goes on above the caller. */
static VOID VfpPendDpc(PKDPC Dpc, PVOID DeferredContext, PVOID A1, PVOID A2)
{
    VF_PEND *p = DeferredContext;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    PIRP irp = p->Irp;
    PIO_COMPLETION_ROUTINE routine = p->Routine;
    PVOID context = p->Context;
    PDEVICE_OBJECT device = p->Device;
    UCHAR ctl = p->Control;
    ULONG64 f = VfpLock();
    p->Irp = NULL; /* free before the routine runs: it may free or resend the IRP */
    VfpUnlock(f);

    irp->PendingReturned = TRUE;
    NTSTATUS st = irp->IoStatus.Status;
    BOOLEAN invoke = routine && ((NT_SUCCESS(st) && (ctl & SL_INVOKE_ON_SUCCESS)) ||
                                 (!NT_SUCCESS(st) && (ctl & SL_INVOKE_ON_ERROR)) ||
                                 (irp->Cancel && (ctl & SL_INVOKE_ON_CANCEL)));
    if (invoke) {
        if (routine(device, irp, context) == STATUS_MORE_PROCESSING_REQUIRED)
            return;
    } else if (irp->CurrentLocation <= irp->StackCount) {
        IoMarkIrpPending(irp);
    }
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

/* Stands in the handed-down location's completion slot: stops the walk here and lets the
 * timer DPC resume it. */
static NTSTATUS VfpPendCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    VF_PEND *p = Context;
    LARGE_INTEGER due;
    UNREFERENCED_PARAMETER(Irp);
    p->Device = DeviceObject;
    due.QuadPart = -10000; /* 1 ms: after IoCallDriver has returned, in nearly every case */
    KeSetTimer(&p->Timer, due, &p->Dpc);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* IRQL <= DISPATCH_LEVEL. */
BOOLEAN VfForcePending(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Caller)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    if (Irp->CurrentLocation <= 1)
        return FALSE; /* IoCallDriver stops with NO_MORE_IRP_STACK_LOCATIONS */
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(Irp);
    VF_PEND *slot = NULL;
    ULONG64 seq = 0, call = 0;
    ULONG64 f = VfpLock();
    for (ULONG i = 0; i < VF_MAX_PENDS; i++) {
        if (VfpPends[i].Irp == Irp) { /* already forced further up: once at a time */
            VfpUnlock(f);
            return FALSE;
        }
        if (!VfpPends[i].Irp && !slot)
            slot = &VfpPends[i];
    }
    /* The caller is the driver whose location is current (a tail-called IoCallDriver leaves
     * no return address into it): its dispatch routine names it; else the return address. */
    if (Irp->CurrentLocation <= Irp->StackCount) {
        PIO_STACK_LOCATION cur = IoGetCurrentIrpStackLocation(Irp);
        if (cur->DeviceObject && cur->DeviceObject->DriverObject)
            Caller = (PVOID)cur->DeviceObject->DriverObject->MajorFunction[cur->MajorFunction];
    }
    VF_RULE *r = slot ? VfpHit(VfSitePending, next->MajorFunction, Caller, &seq, &call) : NULL;
    if (r) {
        slot->Irp = Irp;
        slot->Routine = next->CompletionRoutine;
        slot->Context = next->Context;
        slot->Control = next->Control & (SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR | SL_INVOKE_ON_CANCEL);
        KeInitializeTimer(&slot->Timer);
        KeInitializeDpc(&slot->Dpc, VfpPendDpc, slot);
        next->CompletionRoutine = VfpPendCompletion;
        next->Context = slot;
        next->Control |= SL_INVOKE_ON_SUCCESS | SL_INVOKE_ON_ERROR | SL_INVOKE_ON_CANCEL;
    }
    VfpUnlock(f);
    if (!r)
        return FALSE;
    CHAR detail[80];
    RtlStringCbPrintfA(detail, sizeof(detail), "major=0x%x call=%llu", next->MajorFunction, call);
    VfpPrintFault(seq, VfSitePending, Caller, detail);
    return TRUE;
}
