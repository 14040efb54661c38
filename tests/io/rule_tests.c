/* tests/io/rule_tests.c - the seed rules that had no test: mark pending before posting, no
 * IoMarkIrpPending in a routine that signals an event, no completion routine without a lower
 * location, IoSetCompletionRoutineEx's failure branch, paged data reached through a context. */
#include "kt_io.h"
#include "../../kernel/mm/mi.h"

/* An IRP the test owns with a location of its own above Bottom, so its completion routine
 * runs with a current location to mark. */
static PIRP KtpOwnIrp(PDEVICE_OBJECT Bottom)
{
    PIRP irp = IoAllocateIrp(Bottom->StackSize + 1, FALSE);
    IoSetNextIrpStackLocation(irp);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    return irp;
}

static VOID KtpFreeInWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    IoFreeIrp(Context);
}

/* (bug) posts first, marks after: the worker may already have freed the IRP. */
static NTSTATUS KtpPostThenMark(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    IoQueueWorkItem(Context, KtpFreeInWorker, DelayedWorkQueue, Irp);
    IoMarkIrpPending(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

KTEST_BUGCHECK(iov, completion_routine_posting_before_marking_pending, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    KtExt(d)->Pend = TRUE; /* completes from the DPC of a real interrupt */
    PIRP irp = KtpOwnIrp(d);
    IoSetCompletionRoutine(irp, KtpPostThenMark, IoAllocateWorkItem(d), TRUE, TRUE, TRUE);
    KtExpectBugCheck(IOV_POSTED_BEFORE_MARKED_PENDING, (ULONG_PTR)KtpPostThenMark, (ULONG_PTR)irp, 0);
    IoCallDriver(d, irp);
}

/* The rule kept: marked, then posted; the worker frees the IRP at PASSIVE_LEVEL. */
static volatile LONG KtpWorkerRan;
static VOID KtpFreeAndCount(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PIRP irp = Context;
    PIO_WORKITEM item = irp->Tail.Overlay.DriverContext[0];
    UNREFERENCED_PARAMETER(DeviceObject);
    KtpWorkerRan = KeGetCurrentIrql() == PASSIVE_LEVEL ? 1 : 2;
    IoFreeWorkItem(item);
    IoFreeIrp(irp);
}
static NTSTATUS KtpMarkThenPost(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    IoMarkIrpPending(Irp);
    Irp->Tail.Overlay.DriverContext[0] = Context;
    IoQueueWorkItem(Context, KtpFreeAndCount, DelayedWorkQueue, Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

KTEST(iorule, completion_routine_marking_then_posting_is_finished_by_the_worker)
{
    LARGE_INTEGER step = { .QuadPart = -10000 };
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    KtExt(d)->Pend = TRUE;
    PIRP irp = KtpOwnIrp(d);
    KtpWorkerRan = 0;
    IoSetCompletionRoutine(irp, KtpMarkThenPost, IoAllocateWorkItem(d), TRUE, TRUE, TRUE);
    KT_STATUS(IoCallDriver(d, irp), STATUS_PENDING);
    for (ULONG i = 0; i < 100 && !KtpWorkerRan; i++)
        KeDelayExecutionThread(KernelMode, FALSE, &step);
    KT_EQ(KtpWorkerRan, 1);
    IoDeleteDevice(d);
}

/* (bug) propagates pending and signals the waiting dispatch routine. */
static NTSTATUS KtpSignalAndMark(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    KeSetEvent(Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

KTEST_BUGCHECK(iov, completion_routine_signalling_an_event_marks_pending, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    static KEVENT done;
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    KtExt(d)->Pend = TRUE;
    PIRP irp = KtpOwnIrp(d);
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    IoSetCompletionRoutine(irp, KtpSignalAndMark, &done, TRUE, TRUE, TRUE);
    KtExpectBugCheck(IOV_EVENT_ROUTINE_MARKED_PENDING, (ULONG_PTR)KtpSignalAndMark, (ULONG_PTR)irp, (ULONG_PTR)&done);
    if (IoCallDriver(d, irp) == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
}

static NTSTATUS KtpNeverRuns(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    UNREFERENCED_PARAMETER(Context);
    return STATUS_SUCCESS;
}

/* The lowest driver's location is location 1: there is no next location to hold a routine. */
KTEST_EX(iov, completion_routine_without_a_lower_location, NO_MORE_IRP_STACK_LOCATIONS, "verifier=none")
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetNextIrpStackLocation(irp);
    KT_EQ(irp->CurrentLocation, 1);
    KtExpectBugCheck((ULONG_PTR)irp, 0, 0, 0);
    IoSetCompletionRoutine(irp, KtpNeverRuns, NULL, TRUE, TRUE, TRUE);
}

/* IoSetCompletionRoutineEx can fail; the dispatch routine then completes the IRP itself
 * with that status and sends nothing down. */
static PDEVICE_OBJECT KtpExLower;
static volatile LONG KtpExRoutineRuns;
static NTSTATUS KtpExRoutine(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    UNREFERENCED_PARAMETER(Context);
    KtpExRoutineRuns++;
    return STATUS_SUCCESS;
}
static NTSTATUS KtpExDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    IoCopyCurrentIrpStackLocationToNext(Irp);
    NTSTATUS st = IoSetCompletionRoutineEx(DeviceObject, Irp, KtpExRoutine, NULL, TRUE, TRUE, TRUE);
    if (!NT_SUCCESS(st)) {
        Irp->IoStatus.Status = st;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return st;
    }
    return IoCallDriver(KtpExLower, Irp);
}
static volatile NTSTATUS KtpExFinal;
static NTSTATUS KtpExCatch(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
    KtpExFinal = Irp->IoStatus.Status;
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

KTEST(iorule, set_completion_routine_ex_failure_is_completed_by_the_caller)
{
    PDEVICE_OBJECT upper = KtIoCreateDeviceFor(KtIoCreateDriver(L"\\Driver\\KtExFail", KtpExDispatch));
    POOL_TAG_USAGE u0, u1;
    KtpExLower = KtIoCreateDevice(NULL, 0);
    KT_ASSERT(upper && KtpExLower);
    KT_ASSERT(IoAttachDeviceToDeviceStack(upper, KtpExLower) == KtpExLower);
    for (ULONG pass = 0; pass < 2; pass++) { /* first the forced failure, then the real thing */
        BOOLEAN fail = pass == 0;
        ULONG reads = KtExt(KtpExLower)->Reads, runs = KtpExRoutineRuns;
        PIRP irp = IoAllocateIrp(upper->StackSize, FALSE);
        IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
        IoSetCompletionRoutine(irp, KtpExCatch, NULL, TRUE, TRUE, TRUE);
        ExQueryPoolTagUsage('csUI', ~0u, &u0);
        KtpExFinal = STATUS_PENDING;
        IopCompletionRoutineExFailures = (LONG)fail;
        NTSTATUS st = IoCallDriver(upper, irp);
        ExQueryPoolTagUsage('csUI', ~0u, &u1);
        KT_EQ(u1.Outstanding, u0.Outstanding); /* nothing left allocated either way */
        if (fail) {
            KT_STATUS(st, STATUS_INSUFFICIENT_RESOURCES);
            KT_STATUS(KtpExFinal, STATUS_INSUFFICIENT_RESOURCES); /* completed once, by the caller */
            KT_EQ(KtExt(KtpExLower)->Reads, reads);              /* nothing went down */
            KT_EQ(KtpExRoutineRuns, runs);
        } else {
            KT_STATUS(st, STATUS_SUCCESS);
            KT_STATUS(KtpExFinal, STATUS_SUCCESS);
            KT_EQ(KtExt(KtpExLower)->Reads, reads + 1);
            KT_EQ(KtpExRoutineRuns, runs + 1);
        }
    }
    IoDetachDevice(KtpExLower);
    IoDeleteDevice(upper);
    IoDeleteDevice(KtpExLower);
}

/* "Data structures used in completion routines must be nonpaged": the context is nonpaged,
 * the buffer it points to is paged pool. Verifier's trim on the raise to DISPATCH_LEVEL pages
 * it out, and the routine's touch from the disk DPC is a page fault at DISPATCH_LEVEL. */
typedef struct { PUCHAR PagedBuffer; } KTP_CONTEXT;
static NTSTATUS KtpTouchThroughContext(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KtpExFinal = *(volatile UCHAR *)((KTP_CONTEXT *)Context)->PagedBuffer;
    return STATUS_SUCCESS;
}

KTEST_BUGCHECK(iov, completion_routine_touching_paged_data_through_its_context, IRQL_NOT_LESS_OR_EQUAL)
{
    static KTP_CONTEXT ctx; /* nonpaged: passes the context check */
    KIRQL old;
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    KtExt(d)->Pend = TRUE;
    ctx.PagedBuffer = ExAllocatePoolWithTag(PagedPool, PAGE_SIZE, 'gPtK');
    KT_ASSERT(ctx.PagedBuffer && MiIsPagedPoolAddress(ctx.PagedBuffer));
    ctx.PagedBuffer[0] = 0x5A;
    PIRP irp = IoAllocateIrp(d->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    IoSetCompletionRoutine(irp, KtpTouchThroughContext, &ctx, TRUE, TRUE, TRUE);
    KeRaiseIrql(DISPATCH_LEVEL, &old); /* Verifier trims pageable memory here */
    KT_ASSERT(!MmIsAddressValid(ctx.PagedBuffer));
    KtExpectBugCheck((ULONG_PTR)ctx.PagedBuffer, DISPATCH_LEVEL, 0, KT_ANY);
    IoCallDriver(d, irp); /* the interrupt comes at once; its DPC waits for the lowering */
    KeLowerIrql(old);
}
