/* tests/io/completion_tests.c - IoCompleteRequest as the seeds describe it: the walk's order,
 * its stop at STATUS_MORE_PROCESSING_REQUIRED, the SL_INVOKE_* rules, PendingReturned, the
 * routine's DeviceObject, the IRQL routines run at (including a DPC after a real interrupt),
 * the three legitimate STATUS_MORE_PROCESSING_REQUIRED patterns, and associated IRPs. */
#include "kt_io.h"

/* Every test here runs twice: in suite iocomp with the boot's defaults (I/O verification and
 * the IRP trace on: IoCompleteRequest's watched walk), and in iocomplean with both off (its
 * lean walk). The two walks must agree on every rule. */
#define KTEST_BOTH_WALKS(name)                                                            \
    static VOID KtpBody_##name(void);                                                     \
    KTEST(iocomp, name) { KtpBody_##name(); }                                             \
    KTEST_EX(iocomplean, name, 0, "verifier=none iotrace=off") { KtpBody_##name(); }      \
    static VOID KtpBody_##name(void)

typedef struct _KT_OWNER {
    volatile ULONG Calls;
    PDEVICE_OBJECT Device;
    KIRQL Irql;
    BOOLEAN Pending;
    BOOLEAN FreeIrp;
    NTSTATUS Status;
    CHAR Location;
} KT_OWNER;

static NTSTATUS KtpOwnerCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    KT_OWNER *o = Context;
    o->Calls++;
    o->Device = DeviceObject;
    o->Irql = KeGetCurrentIrql();
    o->Pending = Irp->PendingReturned;
    o->Status = Irp->IoStatus.Status;
    o->Location = Irp->CurrentLocation;
    if (o->FreeIrp)
        IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* The test acts as a driver that built its own IRP with no location for itself. */
static PIRP KtpSend(PDEVICE_OBJECT Top, KT_OWNER *Owner, NTSTATUS *Status)
{
    PIRP irp = IoAllocateIrp(Top->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_INTERNAL_DEVICE_CONTROL;
    IoSetCompletionRoutine(irp, KtpOwnerCompletion, Owner, TRUE, TRUE, TRUE);
    *Status = IoCallDriver(Top, irp);
    return irp;
}

KTEST_BOTH_WALKS(routines_run_from_next_highest_to_highest)
{
    PDEVICE_OBJECT d[5];
    KT_OWNER o = { 0 };
    NTSTATUS st;
    KtIoBuildStack(5, d);
    KtLogReset();
    PIRP irp = KtpSend(d[4], &o, &st);
    KT_STATUS(st, STATUS_SUCCESS);
    KT_EQ(KtLogCount, 4);
    for (ULONG i = 0; i < 4; i++) {
        KT_EQ(KtLog[i].Index, i + 1);       /* the filter just above the completer first */
        KT_EQ(KtLog[i].Device, d[i + 1]);   /* each routine gets its own device */
        KT_EQ(KtLog[i].Location, i + 2);    /* ...and its own location is current */
    }
    KT_EQ(o.Calls, 1);
    KT_EQ(o.Device, NULL); /* the owner allocated no location for itself */
    KT_EQ(o.Location, irp->StackCount + 1);
    IoFreeIrp(irp);
    KtIoDestroyStack(5, d);
}

/* Each location the walk leaves is cleared for whoever reuses it: what it carried for the
 * driver below (minor function, flags, control, parameters, file object, routine and context)
 * is zero; its major function and device stay, as on Windows. */
KTEST_BOTH_WALKS(each_location_left_is_cleared_but_major_and_device)
{
    PDEVICE_OBJECT d[3];
    KT_OWNER o = { 0 };
    KtIoBuildStack(3, d);
    KtExt(d[1])->SetRoutine = FALSE; /* the bottom's location is left without a routine to call */
    PIRP irp = IoAllocateIrp(d[2]->StackSize, FALSE);
    PIO_STACK_LOCATION top = IoGetNextIrpStackLocation(irp);
    top->MajorFunction = IRP_MJ_INTERNAL_DEVICE_CONTROL;
    top->MinorFunction = 7;
    top->Flags = SL_OVERRIDE_VERIFY_VOLUME;
    top->Parameters.Others.Argument1 = (PVOID)0x11;
    top->Parameters.Others.Argument2 = (PVOID)0x22;
    top->Parameters.Others.Argument3 = (PVOID)0x33;
    top->Parameters.Others.Argument4 = (PVOID)0x44;
    IoSetCompletionRoutine(irp, KtpOwnerCompletion, &o, TRUE, TRUE, TRUE);
    KT_STATUS(IoCallDriver(d[2], irp), STATUS_SUCCESS); /* the filters copy it all down */
    KT_EQ(o.Calls, 1);
    for (ULONG i = 0; i < 3; i++) {
        PIO_STACK_LOCATION sp = (PIO_STACK_LOCATION)(irp + 1) + i;
        KT_EQ(sp->MajorFunction, IRP_MJ_INTERNAL_DEVICE_CONTROL);
        KT_EQ(sp->DeviceObject, d[i]);
        KT_EQ(sp->MinorFunction, 0);
        KT_EQ(sp->Flags, 0);
        KT_EQ(sp->Control, 0);
        KT_EQ(sp->Parameters.Others.Argument1, NULL);
        KT_EQ(sp->Parameters.Others.Argument2, NULL);
        KT_EQ(sp->Parameters.Others.Argument3, NULL);
        KT_EQ(sp->Parameters.Others.Argument4, NULL);
        KT_EQ(sp->FileObject, NULL);
        KT_EQ(sp->CompletionRoutine, NULL);
        KT_EQ(sp->Context, NULL);
    }
    IoFreeIrp(irp);
    KtIoDestroyStack(3, d);
}

KTEST_BOTH_WALKS(routine_device_is_own_device_when_owner_has_a_location)
{
    PDEVICE_OBJECT d[2], me = KtIoCreateDevice(NULL, 0);
    KT_OWNER o = { 0 };
    KtIoBuildStack(2, d);
    PIRP irp = IoAllocateIrp(d[1]->StackSize + 1, FALSE);
    IoSetNextIrpStackLocation(irp);
    IoGetCurrentIrpStackLocation(irp)->DeviceObject = me;
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_INTERNAL_DEVICE_CONTROL;
    IoSetCompletionRoutine(irp, KtpOwnerCompletion, &o, TRUE, TRUE, TRUE);
    KT_STATUS(IoCallDriver(d[1], irp), STATUS_SUCCESS);
    KT_EQ(o.Calls, 1);
    KT_EQ(o.Device, me);
    IoFreeIrp(irp);
    KtIoDestroyStack(2, d);
    IoDeleteDevice(me);
}

KTEST_BOTH_WALKS(more_processing_stops_walk_and_owner_resumes_it)
{
    PDEVICE_OBJECT d[4];
    KT_OWNER o = { 0 };
    NTSTATUS st;
    KtIoBuildStack(4, d);
    KtExt(d[2])->RoutineReturn = STATUS_MORE_PROCESSING_REQUIRED;
    KtLogReset();
    PIRP irp = KtpSend(d[3], &o, &st);
    /* filter 1 ran, filter 2 stopped the walk: filter 3 and the owner have not run */
    KT_EQ(KtLogCount, 2);
    KT_EQ(KtLog[0].Index, 1);
    KT_EQ(KtLog[1].Index, 2);
    KT_EQ(o.Calls, 0);
    KT_EQ(KtExt(d[2])->RoutineHeld, irp);
    KT_EQ(irp->CurrentLocation, 3); /* still filter 2's own location */
    /* filter 2 owns it now; its IoCompleteRequest resumes the walk above it */
    KtExt(d[2])->RoutineHeld = NULL;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    KT_EQ(KtLogCount, 3);
    KT_EQ(KtLog[2].Index, 3);
    KT_EQ(o.Calls, 1);
    IoFreeIrp(irp);
    KtIoDestroyStack(4, d);
}

KTEST_BOTH_WALKS(any_other_routine_status_counts_as_success)
{
    PDEVICE_OBJECT d[3];
    KT_OWNER o = { 0 };
    NTSTATUS st;
    KtIoBuildStack(3, d);
    KtExt(d[1])->RoutineReturn = STATUS_UNSUCCESSFUL;
    KtExt(d[2])->RoutineReturn = STATUS_PENDING;
    KtLogReset();
    PIRP irp = KtpSend(d[2], &o, &st);
    KT_EQ(KtLogCount, 2);
    KT_EQ(o.Calls, 1);
    KT_STATUS(o.Status, STATUS_SUCCESS); /* the IRP's own status is untouched */
    KT_STATUS(st, STATUS_SUCCESS);
    IoFreeIrp(irp);
    KtIoDestroyStack(3, d);
}

static ULONG KtpInvokeCount(BOOLEAN S, BOOLEAN E, BOOLEAN C, NTSTATUS Status, BOOLEAN Cancel)
{
    PDEVICE_OBJECT d[2];
    KtIoBuildStack(2, d);
    KtExt(d[1])->OnSuccess = S;
    KtExt(d[1])->OnError = E;
    KtExt(d[1])->OnCancel = C;
    KtExt(d[0])->CompleteStatus = Status;
    KtLogReset();
    PIRP irp = IoAllocateIrp(d[1]->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_INTERNAL_DEVICE_CONTROL;
    irp->Cancel = Cancel;
    IoCallDriver(d[1], irp);
    ULONG n = KtLogCount;
    IoFreeIrp(irp);
    KtIoDestroyStack(2, d);
    return n;
}

KTEST_BOTH_WALKS(invoke_on_success_honoured)
{
    KT_EQ(KtpInvokeCount(TRUE, FALSE, FALSE, STATUS_SUCCESS, FALSE), 1);
    KT_EQ(KtpInvokeCount(TRUE, FALSE, FALSE, STATUS_PENDING + 1 /* informational */, FALSE), 1);
    KT_EQ(KtpInvokeCount(TRUE, FALSE, FALSE, STATUS_BUFFER_OVERFLOW, FALSE), 0); /* a warning is not NT_SUCCESS */
    KT_EQ(KtpInvokeCount(TRUE, FALSE, FALSE, STATUS_UNSUCCESSFUL, FALSE), 0);
    KT_EQ(KtpInvokeCount(FALSE, FALSE, FALSE, STATUS_SUCCESS, FALSE), 0);
}

KTEST_BOTH_WALKS(invoke_on_error_honoured)
{
    KT_EQ(KtpInvokeCount(FALSE, TRUE, FALSE, STATUS_UNSUCCESSFUL, FALSE), 1);
    KT_EQ(KtpInvokeCount(FALSE, TRUE, FALSE, STATUS_BUFFER_OVERFLOW, FALSE), 1); /* !NT_SUCCESS */
    KT_EQ(KtpInvokeCount(FALSE, TRUE, FALSE, STATUS_SUCCESS, FALSE), 0);
}

KTEST_BOTH_WALKS(invoke_on_cancel_honoured)
{
    KT_EQ(KtpInvokeCount(FALSE, FALSE, TRUE, STATUS_SUCCESS, TRUE), 1);
    KT_EQ(KtpInvokeCount(FALSE, FALSE, TRUE, STATUS_CANCELLED, TRUE), 1);
    KT_EQ(KtpInvokeCount(FALSE, FALSE, TRUE, STATUS_SUCCESS, FALSE), 0);
    KT_EQ(KtpInvokeCount(TRUE, TRUE, FALSE, STATUS_CANCELLED, TRUE), 1); /* on error, not cancel */
}

/* Pends at the bottom and completes from the DPC after the device's interrupt; the caller
 * holds DISPATCH_LEVEL across the send so the completion comes after the dispatch returned. */
static NTSTATUS KtpSendPended(PDEVICE_OBJECT Top, KT_OWNER *Owner, PIRP *Irp)
{
    KIRQL old;
    NTSTATUS st;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    *Irp = KtpSend(Top, Owner, &st);
    BOOLEAN early = Owner->Calls != 0;
    KeLowerIrql(old); /* the DPC runs here */
    return early ? STATUS_UNSUCCESSFUL : st;
}

KTEST_BOTH_WALKS(pending_returned_reflects_lower_level)
{
    PDEVICE_OBJECT d[2];
    KT_OWNER o = { 0 };
    PIRP irp;
    KtIoBuildStack(2, d);
    KtExt(d[1])->MarkInRoutine = TRUE;
    KtExt(d[0])->Pend = TRUE;
    KtLogReset();
    KT_STATUS(KtpSendPended(d[1], &o, &irp), STATUS_PENDING);
    KT_EQ(KtLogCount, 1);
    KT_EQ(KtLog[0].PendingReturned, TRUE);
    KT_EQ(o.Pending, TRUE); /* the filter propagated it */
    IoFreeIrp(irp);
    /* the same stack completing synchronously: nothing was pended */
    KtExt(d[0])->Pend = FALSE;
    KtLogReset();
    o.Calls = 0;
    NTSTATUS st;
    irp = KtpSend(d[1], &o, &st);
    KT_EQ(KtLog[0].PendingReturned, FALSE);
    KT_EQ(o.Pending, FALSE);
    IoFreeIrp(irp);
    KtIoDestroyStack(2, d);
}

KTEST_BOTH_WALKS(pending_climbs_where_no_routine_ran)
{
    PDEVICE_OBJECT d[4];
    KT_OWNER o = { 0 };
    PIRP irp;
    KtIoBuildStack(4, d);
    for (ULONG i = 1; i < 4; i++)
        KtExt(d[i])->SetRoutine = FALSE;
    KtExt(d[0])->Pend = TRUE;
    KT_STATUS(KtpSendPended(d[3], &o, &irp), STATUS_PENDING);
    KT_EQ(o.Calls, 1);
    KT_EQ(o.Pending, TRUE);
    IoFreeIrp(irp);
    KtIoDestroyStack(4, d);
}

KTEST_BOTH_WALKS(mark_pending_in_routine_propagates)
{
    PDEVICE_OBJECT d[3];
    KT_OWNER o = { 0 };
    PIRP irp;
    KtIoBuildStack(3, d);
    KtExt(d[0])->Pend = TRUE;
    KtExt(d[1])->MarkInRoutine = TRUE;
    KtExt(d[2])->MarkInRoutine = TRUE;
    KtLogReset();
    KT_STATUS(KtpSendPended(d[2], &o, &irp), STATUS_PENDING);
    KT_EQ(KtLog[1].PendingReturned, TRUE); /* filter 2 saw filter 1's mark */
    KT_EQ(o.Pending, TRUE);
    IoFreeIrp(irp);
    KtIoDestroyStack(3, d);
}

KTEST_BOTH_WALKS(completion_from_dpc_after_real_interrupt_runs_at_dispatch)
{
    PDEVICE_OBJECT d[3];
    KT_OWNER o = { 0 };
    PIRP irp;
    KtIoBuildStack(3, d);
    KtExt(d[0])->Pend = TRUE;
    KtExt(d[1])->MarkInRoutine = KtExt(d[2])->MarkInRoutine = TRUE;
    ULONG isr = KtIsrCount, dpc = KtDpcCount;
    KtLogReset();
    KT_STATUS(KtpSendPended(d[2], &o, &irp), STATUS_PENDING);
    KT_EQ(KtIsrCount, isr + 1);
    KT_EQ(KtDpcCount, dpc + 1);
    KT_EQ(KtLogCount, 2);
    KT_EQ(KtLog[0].Irql, DISPATCH_LEVEL);
    KT_EQ(KtLog[1].Irql, DISPATCH_LEVEL);
    KT_EQ(o.Irql, DISPATCH_LEVEL);
    IoFreeIrp(irp);
    KtIoDestroyStack(3, d);
}

/* A device that completes nothing itself: the test completes the IRP at chosen IRQLs. */
KTEST_BOTH_WALKS(routines_run_at_the_completing_callers_irql)
{
    PDEVICE_OBJECT d[2];
    KtIoBuildStack(2, d);
    KtExt(d[0])->Pend = TRUE;
    KtExt(d[0])->Cancelable = TRUE; /* held, no interrupt */
    KtExt(d[1])->MarkInRoutine = TRUE;
    for (KIRQL level = PASSIVE_LEVEL; level <= DISPATCH_LEVEL; level++) {
        KT_OWNER o = { 0 };
        NTSTATUS st;
        KtLogReset();
        PIRP irp = KtpSend(d[1], &o, &st);
        KT_STATUS(st, STATUS_PENDING);
        KT_EQ(IoSetCancelRoutine(irp, NULL) != NULL, TRUE);
        KtExt(d[0])->Held = NULL;
        KIRQL old;
        KeRaiseIrql(level, &old);
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        KeLowerIrql(old);
        KT_EQ(KtLog[0].Irql, level);
        KT_EQ(o.Irql, level);
        IoFreeIrp(irp);
    }
    KtIoDestroyStack(2, d);
}

/* Pattern 1: the dispatch routine waits for the event its completion routine signals. */
static NTSTATUS KtpEventCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE); /* no IoMarkIrpPending here */
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS KtpWaitingDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KEVENT event;
    PKT_EXT x = DeviceObject->DeviceExtension;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, KtpEventCompletion, &event, TRUE, TRUE, TRUE);
    NTSTATUS st = IoCallDriver(x->Lower, Irp);
    if (st == STATUS_PENDING) {
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        st = Irp->IoStatus.Status;
    }
    x->Information = 0xE7E7; /* proof the dispatch routine finished the request itself */
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return st;
}

KTEST_BOTH_WALKS(pattern_dispatch_waits_for_event_from_completion_routine)
{
    PDEVICE_OBJECT bottom = KtIoCreateDevice(NULL, 0);
    PDEVICE_OBJECT filter = KtIoCreateDeviceFor(KtIoCreateDriver(L"\\Driver\\KtWait", KtpWaitingDispatch));
    KT_OWNER o = { 0 };
    NTSTATUS st;
    KtExt(bottom)->Pend = TRUE;
    KtExt(bottom)->CompleteStatus = STATUS_BUFFER_OVERFLOW;
    KtExt(filter)->Lower = IoAttachDeviceToDeviceStack(filter, bottom);
    PIRP irp = KtpSend(filter, &o, &st);
    KT_STATUS(st, STATUS_BUFFER_OVERFLOW); /* the wait happened inside the dispatch routine */
    KT_EQ(KtExt(filter)->Information, 0xE7E7);
    KT_EQ(o.Calls, 1);
    KT_STATUS(o.Status, STATUS_BUFFER_OVERFLOW);
    KT_EQ(o.Irql, PASSIVE_LEVEL); /* completed by the waiting dispatch routine, not the DPC */
    IoFreeIrp(irp);
    IoDetachDevice(bottom);
    IoDeleteDevice(filter);
    IoDeleteDevice(bottom);
}
