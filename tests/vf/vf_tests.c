/* tests/vf/vf_tests.c - fault injection, class by class: each fault happens at the site the
 * rule names, through the real allocator / IoCallDriver path, and its caller sees it. */
#include "../io/kt_io.h"
#include "../fs/fsutil.h"
#include <irqlab/vf.h>

#define KT_VF_TAG 'fVtK' /* "KtVf" as the pool report prints it */

static ULONG64 KtpFaults(VF_SITE Site)
{
    ULONG64 calls, faults;
    VfQuerySite(Site, &calls, &faults);
    return faults;
}

KTEST(vf, pool_rule_fails_exactly_the_nth_allocation_of_its_tag)
{
    PVOID p[5], other;
    KT_STATUS(VfConfigure("lowres:site=pool,tag=KtVf,driver=Kt,nth=3"), STATUS_SUCCESS);
    other = ExAllocatePoolWithTag(NonPagedPool, 64, 'rtOK'); /* another tag: not counted */
    for (ULONG i = 0; i < 5; i++)
        p[i] = ExAllocatePoolWithTag(NonPagedPool, 64, KT_VF_TAG);
    ULONG64 calls, faults;
    VfQuerySite(VfSitePool, &calls, &faults);
    VfReset();
    KT_ASSERT(other != NULL);
    ExFreePoolWithTag(other, 'rtOK');
    for (ULONG i = 0; i < 5; i++) {
        KT_EQ(p[i] == NULL, i == 2);
        if (p[i])
            ExFreePoolWithTag(p[i], KT_VF_TAG);
    }
    KT_EQ(calls, 6);
    KT_EQ(faults, 1);
}

KTEST(vf, pool_rule_filters_by_pool_type_and_every_interval)
{
    PVOID p[6];
    KT_STATUS(VfConfigure("lowres:site=pool,tag=KtVf,driver=Kt,pool=paged,interval=2"), STATUS_SUCCESS);
    for (ULONG i = 0; i < 6; i++)
        p[i] = ExAllocatePool2(i < 3 ? POOL_FLAG_NON_PAGED : POOL_FLAG_PAGED, 32, KT_VF_TAG);
    VfReset();
    /* nonpaged: never; paged calls 1, 2, 3: the 2nd fails */
    for (ULONG i = 0; i < 6; i++) {
        KT_EQ(p[i] == NULL, i == 4);
        if (p[i])
            ExFreePoolWithTag(p[i], KT_VF_TAG);
    }
}

KTEST(vf, default_scope_spares_callers_outside_the_drivers)
{
    /* no driver= word: only Fat/Flt/Rd callers are faulted, so this test's allocation is not */
    KT_STATUS(VfConfigure("lowres:site=pool,tag=KtVf"), STATUS_SUCCESS);
    PVOID p = ExAllocatePoolWithTag(NonPagedPool, 16, KT_VF_TAG);
    VfReset();
    KT_ASSERT(p != NULL);
    ExFreePoolWithTag(p, KT_VF_TAG);
}

KTEST(vf, irp_mdl_workitem_and_fsd_request_sites_return_null)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    UCHAR buf[512];
    LARGE_INTEGER off = { .QuadPart = 0 };
    KT_ASSERT(d != NULL);
    KT_STATUS(VfConfigure("lowres:site=irp,driver=Kt,nth=2/lowres:site=mdl,driver=Kt,nth=1/"
                          "lowres:site=workitem,driver=Kt,nth=1/lowres:site=fsdreq,driver=Kt,nth=1"),
              STATUS_SUCCESS);
    PIRP i1 = IoAllocateIrp(1, FALSE), i2 = IoAllocateIrp(1, FALSE), i3 = IoAllocateIrp(1, FALSE);
    PMDL m1 = IoAllocateMdl(buf, sizeof(buf), FALSE, FALSE, NULL), m2 = IoAllocateMdl(buf, sizeof(buf), FALSE, FALSE, NULL);
    PIO_WORKITEM w1 = IoAllocateWorkItem(d), w2 = IoAllocateWorkItem(d);
    PIRP b1 = IoBuildAsynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, d, NULL, 0, &off, NULL);
    PIRP b2 = IoBuildAsynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, d, NULL, 0, &off, NULL);
    ULONG64 faults = VfFaultCount();
    VfReset();
    KT_ASSERT(i1 && !i2 && i3 && !m1 && m2 && !w1 && w2 && !b1 && b2);
    KT_EQ(faults, 4);
    IoFreeIrp(i1);
    IoFreeIrp(i3);
    IoFreeMdl(m2);
    IoFreeWorkItem(w2);
    IoFreeIrp(b2);
    IoDeleteDevice(d);
}

KTEST(vf, create_device_fails_with_insufficient_resources)
{
    KT_STATUS(VfConfigure("lowres:site=device,driver=Kt,nth=1"), STATUS_SUCCESS);
    PDEVICE_OBJECT d1 = KtIoCreateDevice(NULL, 0), d2 = KtIoCreateDevice(NULL, 0);
    ULONG64 faults = KtpFaults(VfSiteDevice);
    VfReset();
    KT_ASSERT(d1 == NULL && d2 != NULL);
    KT_EQ(faults, 1);
    IoDeleteDevice(d2);
}

/* A filter written as WDK samples write it: IoSetCompletionRoutineEx, and if that fails,
 * complete the IRP with its status instead of sending it on. */
static PDEVICE_OBJECT KtpVfExDevice;
static NTSTATUS KtpVfExDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PKT_EXT x = DeviceObject->DeviceExtension;
    IoCopyCurrentIrpStackLocationToNext(Irp);
    NTSTATUS st = IoSetCompletionRoutineEx(DeviceObject, Irp, KtIoFilterCompletion, x, TRUE, TRUE, TRUE);
    if (!NT_SUCCESS(st)) {
        Irp->IoStatus.Status = st;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return st;
    }
    return IoCallDriver(x->Lower, Irp);
}
static NTSTATUS KtpVfExEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = KtpVfExDispatch;
    NTSTATUS st = IoCreateDevice(DriverObject, sizeof(KT_EXT), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &KtpVfExDevice);
    if (NT_SUCCESS(st)) {
        RtlZeroMemory(KtpVfExDevice->DeviceExtension, sizeof(KT_EXT));
        KtpVfExDevice->Flags &= ~DO_DEVICE_INITIALIZING;
    }
    return st;
}

static NTSTATUS KtpSendRead(PDEVICE_OBJECT Top, PIRP *Out)
{
    PIRP irp = IoAllocateIrp(Top->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
    *Out = irp;
    return IoCallDriver(Top, irp);
}

KTEST(vf, completion_routine_ex_failure_branch_completes_the_irp_itself)
{
    UNICODE_STRING n = RTL_CONSTANT_STRING(L"\\Driver\\KtVfEx");
    PDEVICE_OBJECT bottom = KtIoCreateDevice(NULL, 0);
    KT_STATUS(IoCreateDriver(&n, KtpVfExEntry), STATUS_SUCCESS);
    PKT_EXT x = KtpVfExDevice->DeviceExtension;
    x->Lower = IoAttachDeviceToDeviceStack(KtpVfExDevice, bottom);
    x->RoutineReturn = STATUS_SUCCESS;
    PIRP irp;
    /* the sample's own call is the Kt caller: its failure branch runs, the disk never sees it */
    KT_STATUS(VfConfigure("lowres:site=completionex,driver=Kt,nth=1"), STATUS_SUCCESS);
    ULONG readsBefore = KtExt(bottom)->Reads;
    NTSTATUS st = KtpSendRead(KtpVfExDevice, &irp);
    ULONG64 faults = KtpFaults(VfSiteCompletionEx);
    KT_STATUS(st, STATUS_INSUFFICIENT_RESOURCES);
    KT_STATUS(irp->IoStatus.Status, STATUS_INSUFFICIENT_RESOURCES);
    KT_EQ(KtExt(bottom)->Reads, readsBefore);
    IoFreeIrp(irp);
    /* the second call is not faulted: the request goes down and succeeds */
    st = KtpSendRead(KtpVfExDevice, &irp);
    VfReset();
    KT_STATUS(st, STATUS_SUCCESS);
    KT_EQ(KtExt(bottom)->Reads, readsBefore + 1);
    KT_EQ(faults, 1);
    IoFreeIrp(irp);
    IoDetachDevice(bottom);
    IoDeleteDevice(KtpVfExDevice);
    IoDeleteDevice(bottom);
}

/* ---- Force Pending I/O ---- */
static struct {
    KEVENT Done;
    KIRQL Irql;
    BOOLEAN PendingReturned;
} KtpPend;

static NTSTATUS KtpPendCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Context);
    KtpPend.Irql = KeGetCurrentIrql();
    KtpPend.PendingReturned = Irp->PendingReturned;
    KeSetEvent(&KtpPend.Done, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS KtpPendOnce(PDEVICE_OBJECT Bottom, BOOLEAN *RanBeforeReturn)
{
    PIRP irp = IoAllocateIrp(Bottom->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    IoSetCompletionRoutine(irp, KtpPendCompletion, NULL, TRUE, TRUE, TRUE);
    KeInitializeEvent(&KtpPend.Done, NotificationEvent, FALSE);
    KtpPend.Irql = 0xFF;
    NTSTATUS st = IoCallDriver(Bottom, irp);
    *RanBeforeReturn = KeReadStateEvent(&KtpPend.Done) != 0;
    KeWaitForSingleObject(&KtpPend.Done, Executive, KernelMode, FALSE, NULL);
    IoFreeIrp(irp);
    return st;
}

KTEST(vf, forced_pending_returns_pending_and_completes_from_a_dpc)
{
    PDEVICE_OBJECT bottom = KtIoCreateDevice(NULL, 0); /* completes at once, in its dispatch */
    BOOLEAN early;
    /* without the rule: synchronous, the routine ran inside IoCallDriver at PASSIVE_LEVEL */
    KT_STATUS(KtpPendOnce(bottom, &early), STATUS_SUCCESS);
    KT_ASSERT(early && !KtpPend.PendingReturned);
    KT_EQ(KtpPend.Irql, PASSIVE_LEVEL);
    KT_STATUS(VfConfigure("pending:driver=Kt,major=read"), STATUS_SUCCESS);
    NTSTATUS st = KtpPendOnce(bottom, &early);
    ULONG64 faults = KtpFaults(VfSitePending);
    VfReset();
    KT_STATUS(st, STATUS_PENDING);
    KT_ASSERT(!early);                 /* the completion came after IoCallDriver returned */
    KT_ASSERT(KtpPend.PendingReturned);
    KT_EQ(KtpPend.Irql, DISPATCH_LEVEL); /* from the timer DPC */
    KT_EQ(faults, 1);
    IoDeleteDevice(bottom);
}

KTEST(vf, forced_pending_through_a_filter_stack_propagates_pending)
{
    PDEVICE_OBJECT devs[3];
    KtIoBuildStack(3, devs);
    /* forced where the top filter's dispatch (KtpDispatch) calls the one below it */
    KT_STATUS(VfConfigure("pending:driver=KtpDispatch"), STATUS_SUCCESS);
    PIRP irp;
    KtLogReset();
    NTSTATUS st = KtpSendRead(devs[2], &irp);
    KT_STATUS(st, STATUS_PENDING);
    /* both filters' routines run later, each seeing PendingReturned */
    for (ULONG spins = 0; KtLogCount < 2 && spins < 1000; spins++) {
        LARGE_INTEGER t = { .QuadPart = -10000 };
        KeDelayExecutionThread(KernelMode, FALSE, &t);
    }
    ULONG64 faults = KtpFaults(VfSitePending);
    VfReset();
    KT_EQ(KtLogCount, 2);
    /* the lower filter's routine ran inside the synchronous completion; the upper one's, whose
     * IoCallDriver was forced pending, later from the DPC and seeing PendingReturned */
    KT_EQ(KtLog[0].Index, 1);
    KT_ASSERT(!KtLog[0].PendingReturned);
    KT_EQ(KtLog[0].Irql, PASSIVE_LEVEL);
    KT_EQ(KtLog[1].Index, 2);
    KT_ASSERT(KtLog[1].PendingReturned);
    KT_EQ(KtLog[1].Irql, DISPATCH_LEVEL);
    KT_STATUS(irp->IoStatus.Status, STATUS_SUCCESS);
    KT_EQ(faults, 1);
    IoFreeIrp(irp);
    KtIoDestroyStack(3, devs);
}

KTEST(vf, unknown_words_are_refused)
{
    KT_STATUS(VfConfigure("lowres:nth=3,bogus=1"), STATUS_INVALID_PARAMETER);
    KT_STATUS(VfConfigure("floods:prob=5"), STATUS_INVALID_PARAMETER);
    KT_STATUS(VfConfigure("lowres:prob=101"), STATUS_INVALID_PARAMETER);
    KT_STATUS(VfConfigure("disk:status=melted"), STATUS_INVALID_PARAMETER);
    KT_EQ(VfArmedSites, 0);
    KT_STATUS(VfConfigure("lowres:prob=0.5,after=10,seed=7"), STATUS_SUCCESS);
    KT_ASSERT(VfArmedSites != 0);
    VfReset();
}
