/* tests/io/lean_tests.c - the lean I/O path (Verifier off, IRP trace off): the inline
 * IoCallDriver and the completion walk must keep every rule the checked path keeps. */
#include "kt_io.h"

typedef struct _KTL_OWNER {
    volatile ULONG Calls;
    PDEVICE_OBJECT Device;
    KIRQL Irql;
    BOOLEAN Pending;
    CHAR Location;
    PIO_STACK_LOCATION Stack;
} KTL_OWNER;

static NTSTATUS KtlOwnerCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    KTL_OWNER *o = Context;
    o->Calls++;
    o->Device = DeviceObject;
    o->Irql = KeGetCurrentIrql();
    o->Pending = Irp->PendingReturned;
    o->Location = Irp->CurrentLocation;
    o->Stack = IoGetCurrentIrpStackLocation(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Verifier and the trace off, as `make bench` boots; KtlRestore puts both back. */
typedef struct _KTL_SAVED { ULONG Verifier; BOOLEAN Tracing; } KTL_SAVED;
static KTL_SAVED KtlLean(void)
{
    KTL_SAVED s = { KiVerifierFlags, IoSetIrpTracing(FALSE) };
    KiSetVerifierFlags(0);
    return s;
}
static VOID KtlRestore(KTL_SAVED S)
{
    KiSetVerifierFlags(S.Verifier);
    IoSetIrpTracing(S.Tracing);
}

static PIRP KtlSend(PDEVICE_OBJECT Top, KTL_OWNER *Owner, NTSTATUS *Status)
{
    PIRP irp = IoAllocateIrp(Top->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    IoSetCompletionRoutine(irp, KtlOwnerCompletion, Owner, TRUE, TRUE, TRUE);
    *Status = IoCallDriver(Top, irp);
    return irp;
}

KTEST(iolean, inline_call_steps_one_location_per_layer_and_the_walk_climbs_them_all)
{
    PDEVICE_OBJECT d[5];
    KTL_OWNER o = { 0 };
    NTSTATUS st;
    KTL_SAVED saved = KtlLean();
    KtIoBuildStack(5, d);
    KtLogReset();
    ULONG seq = IoGetIrpTraceSequence();
    PIRP irp = KtlSend(d[4], &o, &st);
    KtlRestore(saved);
    KT_STATUS(st, STATUS_SUCCESS);
    KT_EQ(IoGetIrpTraceSequence(), seq); /* the trace was really off: nothing recorded */
    KT_EQ(KtLogCount, 4);
    for (ULONG i = 0; i < 4; i++) {
        KT_EQ(KtLog[i].Index, i + 1);     /* bottom filter first */
        KT_EQ(KtLog[i].Device, d[i + 1]); /* each routine gets the device IoCallDriver stored */
        KT_EQ(KtLog[i].Location, i + 2);  /* ...and its own location is current */
    }
    KT_EQ(o.Calls, 1);
    KT_EQ(o.Device, NULL);
    KT_EQ(o.Location, irp->StackCount + 1);
    KT_EQ(o.Stack, (PIO_STACK_LOCATION)(irp + 1) + irp->StackCount); /* one past the first location */
    IoFreeIrp(irp);
    KtIoDestroyStack(5, d);
}

KTEST(iolean, skipping_filters_share_one_location_and_the_owner_routine_runs_once)
{
    PDEVICE_OBJECT d[4];
    KTL_OWNER o = { 0 };
    NTSTATUS st;
    KTL_SAVED saved = KtlLean();
    KtIoBuildStack(4, d);
    for (ULONG i = 1; i < 4; i++)
        KtExt(d[i])->Skip = TRUE;
    KtLogReset();
    PIRP irp = KtlSend(d[3], &o, &st);
    KtlRestore(saved);
    KT_STATUS(st, STATUS_SUCCESS);
    KT_EQ(KtLogCount, 0); /* skipping filters set no routine */
    KT_EQ(o.Calls, 1);
    KT_EQ(o.Location, irp->StackCount + 1);
    KT_EQ(KtExt(d[0])->Reads, 1); /* the read reached the bottom device */
    IoFreeIrp(irp);
    KtIoDestroyStack(4, d);
}

KTEST(iolean, pended_irp_completes_from_the_dpc_of_a_real_interrupt_with_pending_propagated)
{
    PDEVICE_OBJECT d[3];
    KTL_OWNER o = { 0 };
    NTSTATUS st;
    KIRQL old;
    KTL_SAVED saved = KtlLean();
    KtIoBuildStack(3, d);
    KtExt(d[0])->Pend = TRUE;
    ULONG dpcs = KtDpcCount;
    KtLogReset();
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    PIRP irp = KtlSend(d[2], &o, &st);
    BOOLEAN early = o.Calls != 0;
    KeLowerIrql(old); /* the device's DPC runs here and completes the IRP */
    KtlRestore(saved);
    KT_STATUS(st, STATUS_PENDING);
    KT_ASSERT(!early);
    KT_EQ(KtDpcCount, dpcs + 1);
    KT_EQ(KtLogCount, 2);
    KT_EQ(KtLog[0].Irql, DISPATCH_LEVEL);
    KT_EQ(KtLog[0].PendingReturned, TRUE);
    KT_EQ(KtLog[1].PendingReturned, TRUE); /* filter 1 marked its location in its routine */
    KT_EQ(o.Calls, 1);
    KT_EQ(o.Irql, DISPATCH_LEVEL);
    KT_EQ(o.Pending, TRUE);
    IoFreeIrp(irp);
    KtIoDestroyStack(3, d);
}

KTEST(iolean, irp_trace_switched_back_on_records_each_dispatch_and_completion)
{
    PDEVICE_OBJECT d[2];
    KTL_OWNER o = { 0 };
    NTSTATUS st;
    IO_TRACE_RECORD r[8];
    KTL_SAVED saved = KtlLean();
    KtIoBuildStack(2, d);
    IoSetIrpTracing(TRUE);
    ULONG seq = IoGetIrpTraceSequence();
    PIRP irp = KtlSend(d[1], &o, &st);
    ULONG n = IoQueryIrpTrace(irp, seq, r, ARRAYSIZE(r));
    KtlRestore(saved);
    KT_STATUS(st, STATUS_SUCCESS);
    ULONG dispatches = 0, routines = 0;
    for (ULONG i = 0; i < n; i++) {
        dispatches += r[i].Kind == IO_TRACE_DISPATCH;
        routines += r[i].Kind == IO_TRACE_COMPLETION;
    }
    KT_EQ(dispatches, 2); /* the filter's and the bottom device's */
    KT_EQ(routines, 2);   /* the filter's routine and the owner's */
    IoFreeIrp(irp);
    KtIoDestroyStack(2, d);
}

/* The inline path hands the call with no location left to the checked routine, which stops. */
KTEST_EX(iolean, call_with_no_location_left_stops_with_0x35, NO_MORE_IRP_STACK_LOCATIONS, "verifier=none iotrace=off")
{
    PDEVICE_OBJECT d[3];
    KtIoBuildStack(3, d);
    KtExt(d[1])->SetRoutine = FALSE;
    PIRP irp = IoAllocateIrp(2, FALSE); /* one short */
    KtExpectBugCheck((ULONG_PTR)irp, 0, 0, 0);
    IoCallDriver(d[2], irp);
}

/* The other side of the inline path's shortcut (IopFrameDeferFree looks for frames only when
 * there are any): under I/O verification a frame does watch the call, and an IRP its own
 * completion routine frees inside the call is freed only when the frame unwinds. */
static IO_IRP_STATISTICS KtlInside[2];
static NTSTATUS KtlFreeingCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
    IoQueryIrpStatistics(&KtlInside[0]);
    IoFreeIrp(Irp);
    IoQueryIrpStatistics(&KtlInside[1]);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

KTEST(iolean, irp_freed_by_its_routine_inside_a_verified_call_is_freed_when_the_call_unwinds)
{
    PDEVICE_OBJECT d[2];
    IO_IRP_STATISTICS after;
    KT_ASSERT(KiVerifierFlags & VERIFIER_IO_CHECKING); /* test boots verify I/O */
    KtIoBuildStack(2, d);
    PIRP irp = IoAllocateIrp(d[1]->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    IoSetCompletionRoutine(irp, KtlFreeingCompletion, NULL, TRUE, TRUE, TRUE);
    KT_STATUS(IoCallDriver(d[1], irp), STATUS_SUCCESS);
    IoQueryIrpStatistics(&after);
    KT_EQ(KtlInside[1].Freed, KtlInside[0].Freed); /* inside the call: deferred */
    KT_EQ(after.Freed, KtlInside[0].Freed + 1);     /* freed as the frame unwound */
    KtIoDestroyStack(2, d);
}
