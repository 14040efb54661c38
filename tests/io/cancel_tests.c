/* tests/io/cancel_tests.c - cancel before, during and after completion: exactly one
 * completion every time, never lost, never doubled. Plus IoSetCompletionRoutineEx keeping
 * a driver loaded, and the IRP trace. */
#include "kt_io.h"

static volatile ULONG KtpCompletions;
static NTSTATUS KtpCountCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    *(NTSTATUS *)Context = Irp->IoStatus.Status;
    KtpCompletions++;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static PIRP KtpSendCancelable(PDEVICE_OBJECT Dev, NTSTATUS *Final)
{
    PIRP irp = IoAllocateIrp(Dev->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    IoSetCompletionRoutine(irp, KtpCountCompletion, Final, TRUE, TRUE, TRUE);
    KtExt(Dev)->Pend = KtExt(Dev)->Cancelable = TRUE;
    NTSTATUS st = IoCallDriver(Dev, irp);
    return st == STATUS_PENDING ? irp : NULL;
}

KTEST(cancel, cancel_before_completion)
{
    PDEVICE_OBJECT dev = KtIoCreateDevice(NULL, 0);
    NTSTATUS final = 0;
    KtpCompletions = 0;
    PIRP irp = KtpSendCancelable(dev, &final);
    KT_ASSERT(irp);
    KT_EQ(KtpCompletions, 0);
    KT_ASSERT(IoCancelIrp(irp));
    KT_EQ(KtpCompletions, 1);
    KT_STATUS(final, STATUS_CANCELLED);
    KT_EQ(irp->Cancel, TRUE);
    KT_EQ(irp->CancelRoutine, NULL);
    /* the device interrupts later: its DPC finds nothing to complete */
    KtIoRaiseInterrupt(dev);
    KT_EQ(KtpCompletions, 1);
    IoFreeIrp(irp);
    IoDeleteDevice(dev);
}

KTEST(cancel, completion_wins_when_it_clears_the_cancel_routine_first)
{
    PDEVICE_OBJECT dev = KtIoCreateDevice(NULL, 0);
    NTSTATUS final = 0;
    KtpCompletions = 0;
    PIRP irp = KtpSendCancelable(dev, &final);
    KIRQL old;
    /* the interrupt arrives, and a cancel is attempted while its DPC is still queued */
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KtIoRaiseInterrupt(dev);
    KT_EQ(KtpCompletions, 0);
    KeLowerIrql(old);
    KT_EQ(KtpCompletions, 1);
    KT_STATUS(final, STATUS_SUCCESS);
    KT_EQ(IoCancelIrp(irp), FALSE); /* after completion: nothing to call */
    KT_EQ(irp->Cancel, TRUE);
    KT_EQ(KtpCompletions, 1);
    IoFreeIrp(irp);
    IoDeleteDevice(dev);
}

KTEST(cancel, cancel_between_interrupt_and_dpc_lets_cancel_routine_own_it)
{
    PDEVICE_OBJECT dev = KtIoCreateDevice(NULL, 0);
    NTSTATUS final = 0;
    KtpCompletions = 0;
    PIRP irp = KtpSendCancelable(dev, &final);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KtIoRaiseInterrupt(dev);          /* DPC queued, not yet run */
    KT_ASSERT(IoCancelIrp(irp));      /* cancel takes the routine first */
    KT_EQ(KtpCompletions, 1);
    KeLowerIrql(old);                 /* the DPC sees the cancel routine gone and backs off */
    KT_EQ(KtpCompletions, 1);
    KT_STATUS(final, STATUS_CANCELLED);
    IoFreeIrp(irp);
    IoDeleteDevice(dev);
}

static NTSTATUS KtpCancellingCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    *(BOOLEAN *)Context = IoCancelIrp(Irp); /* cancel during completion */
    KtpCompletions++;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

KTEST(cancel, cancel_during_completion_is_harmless)
{
    PDEVICE_OBJECT dev = KtIoCreateDevice(NULL, 0);
    BOOLEAN cancelled = TRUE;
    KtpCompletions = 0;
    PIRP irp = IoAllocateIrp(dev->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    IoSetCompletionRoutine(irp, KtpCancellingCompletion, &cancelled, TRUE, TRUE, TRUE);
    KtExt(dev)->Pend = TRUE;
    KT_STATUS(IoCallDriver(dev, irp), STATUS_PENDING);
    KT_EQ(KtpCompletions, 1);
    KT_EQ(cancelled, FALSE);
    KT_EQ(irp->Cancel, TRUE);
    KT_STATUS(irp->IoStatus.Status, STATUS_SUCCESS);
    IoFreeIrp(irp);
    IoDeleteDevice(dev);
}

KTEST(cancel, cancel_spin_lock_raises_to_dispatch)
{
    KIRQL old;
    IoAcquireCancelSpinLock(&old);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    IoReleaseCancelSpinLock(old);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

/* ---- IoSetCompletionRoutineEx ---- */
static PDEVICE_OBJECT KtpExDevice;
static VOID KtpExUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    IoDeleteDevice(KtpExDevice);
}
static NTSTATUS KtpExDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PKT_EXT x = DeviceObject->DeviceExtension;
    IoCopyCurrentIrpStackLocationToNext(Irp);
    NTSTATUS st = IoSetCompletionRoutineEx(DeviceObject, Irp, KtIoFilterCompletion, x, TRUE, TRUE, TRUE);
    if (!NT_SUCCESS(st)) {
        Irp->IoStatus.Status = st;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return st;
    }
    return IoCallDriver(x->Lower, Irp);
}
static NTSTATUS KtpExEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = KtpExDispatch;
    DriverObject->DriverUnload = KtpExUnload;
    NTSTATUS st = IoCreateDevice(DriverObject, sizeof(KT_EXT), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &KtpExDevice);
    if (NT_SUCCESS(st)) {
        RtlZeroMemory(KtpExDevice->DeviceExtension, sizeof(KT_EXT));
        KtpExDevice->Flags &= ~DO_DEVICE_INITIALIZING;
    }
    return st;
}

static BOOLEAN KtpDriverLoaded(PCWSTR Name)
{
    UNICODE_STRING n;
    PVOID d;
    RtlInitUnicodeString(&n, Name);
    if (!NT_SUCCESS(ObReferenceObjectByName(&n, 0, NULL, 0, *IoDriverObjectType, KernelMode, NULL, &d)))
        return FALSE;
    ObDereferenceObject(d);
    return TRUE;
}

KTEST(cancel, completion_routine_ex_keeps_driver_loaded_until_it_ran)
{
    UNICODE_STRING n = RTL_CONSTANT_STRING(L"\\Driver\\KtEx");
    PDEVICE_OBJECT bottom = KtIoCreateDevice(NULL, 0);
    KT_STATUS(IoCreateDriver(&n, KtpExEntry), STATUS_SUCCESS);
    PDRIVER_OBJECT drv = KtpExDevice->DriverObject;
    PKT_EXT x = KtpExDevice->DeviceExtension;
    x->Index = 7;
    x->MarkInRoutine = TRUE;
    x->Lower = IoAttachDeviceToDeviceStack(KtpExDevice, bottom);
    KtExt(bottom)->Pend = KtExt(bottom)->Cancelable = TRUE;
    PIRP irp = IoAllocateIrp(KtpExDevice->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    KT_STATUS(IoCallDriver(KtpExDevice, irp), STATUS_PENDING);
    LONG refs = ObGetObjectPointerCount(drv);
    /* unload while the IRP is down below: the device goes, the driver stays */
    IoDetachDevice(bottom);
    KT_STATUS(IoUnloadDriver(drv), STATUS_SUCCESS);
    KT_ASSERT(KtpDriverLoaded(L"\\Driver\\KtEx"));
    KT_EQ(ObGetObjectPointerCount(drv), refs - 2); /* its device's and the load reference went */
    KtLogReset();
    KT_ASSERT(IoCancelIrp(irp)); /* completes: the routine runs, then the driver goes */
    KT_EQ(KtLogCount, 1);
    KT_EQ(KtLog[0].Index, 7);
    KT_ASSERT(!KtpDriverLoaded(L"\\Driver\\KtEx"));
    IoFreeIrp(irp);
    IoDeleteDevice(bottom);
}

KTEST(cancel, irp_trace_records_dispatch_and_completion)
{
    PDEVICE_OBJECT d[2];
    KtIoBuildStack(2, d);
    KtExt(d[0])->Pend = TRUE;
    KtExt(d[1])->MarkInRoutine = TRUE;
    ULONG seq = IoGetIrpTraceSequence();
    PIRP irp = IoAllocateIrp(d[1]->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_WRITE;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_STATUS(IoCallDriver(d[1], irp), STATUS_PENDING);
    KeLowerIrql(old);
    IO_TRACE_RECORD r[8];
    ULONG n = IoQueryIrpTrace(irp, seq, r, 8);
    /* dispatch into the bottom returns first, then the filter's; then the DPC completes */
    KT_EQ(n, 4);
    KT_EQ(r[0].Kind, IO_TRACE_DISPATCH);
    KT_EQ(r[0].DeviceObject, d[0]);
    KT_EQ(r[0].Status, STATUS_PENDING);
    KT_EQ(r[0].PendingReturned, TRUE);
    KT_EQ(r[0].MajorFunction, IRP_MJ_WRITE);
    KT_EQ(r[0].Irql, DISPATCH_LEVEL);
    KT_EQ(r[1].Kind, IO_TRACE_DISPATCH);
    KT_EQ(r[1].DeviceObject, d[1]);
    KT_EQ(r[1].DriverObject, KtIoDriver());
    KT_EQ(r[2].Kind, IO_TRACE_COMPLETE_REQUEST);
    KT_EQ(r[3].Kind, IO_TRACE_COMPLETION);
    KT_EQ(r[3].Routine, (PVOID)KtIoFilterCompletion);
    KT_EQ(r[3].DeviceObject, d[1]);
    KT_EQ(r[3].PendingReturned, TRUE);
    KT_EQ(r[3].Irql, DISPATCH_LEVEL);
    IoDumpIrpTrace(4);
    IoFreeIrp(irp);
    KtIoDestroyStack(2, d);
}
