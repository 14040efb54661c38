/* tests/io/kt_io.c - the test drivers' code: DriverEntry, dispatch, completion and cancel
 * routines, and the interrupt (a self-IPI at a device vector) whose DPC completes IRPs. */
#include "kt_io.h"
#include "../../kernel/hal/hal.h"

KT_LOG KtLog[32];
volatile ULONG KtLogCount;
volatile ULONG KtIsrCount, KtDpcCount;
static PDRIVER_OBJECT KtpDriver;
static PKINTERRUPT KtpInterrupt;
static KDPC KtpDpc;
static PDEVICE_OBJECT KtpInterruptingDevice;

VOID KtLogReset(void) { KtLogCount = 0; }

VOID KtLogAdd(ULONG Index, PDEVICE_OBJECT Device, PIRP Irp)
{
    if (KtLogCount < ARRAYSIZE(KtLog))
        KtLog[KtLogCount++] = (KT_LOG){ Index, Device, KeGetCurrentIrql(), Irp->PendingReturned, Irp->CurrentLocation };
}

static VOID KtpCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PKT_EXT x = DeviceObject->DeviceExtension;
    x->Held = NULL;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

/* The device's DPC: completes the held IRP unless the cancel routine already owns it. */
static VOID KtpDpcRoutine(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A2);
    PDEVICE_OBJECT d = A1;
    KtDpcCount++;
    if (!d)
        return; /* an interrupt with no request outstanding */
    PKT_EXT x = d->DeviceExtension;
    PIRP irp = x->Held;
    if (!irp)
        return;
    if (x->Cancelable && IoSetCancelRoutine(irp, NULL) == NULL)
        return; /* IoCancelIrp took it first: the cancel routine completes it */
    x->Held = NULL;
    irp->IoStatus.Status = x->CompleteStatus;
    irp->IoStatus.Information = x->Information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

static BOOLEAN KtpIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    KtIsrCount++;
    KeInsertQueueDpc(&KtpDpc, KtpInterruptingDevice, NULL);
    return TRUE;
}

VOID KtIoRaiseInterrupt(PDEVICE_OBJECT Bottom)
{
    KtpInterruptingDevice = Bottom;
    HalSendSelfIpi(KT_IO_VECTOR);
}

NTSTATUS KtIoFilterCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PKT_EXT x = Context;
    KtLogAdd(x->Index, DeviceObject, Irp);
    if (x->MarkInRoutine && Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    if (x->RoutineReturn == STATUS_MORE_PROCESSING_REQUIRED)
        x->RoutineHeld = Irp;
    return x->RoutineReturn;
}

static NTSTATUS KtpDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PKT_EXT x = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    if (x->Lower) {
        if (x->Skip) {
            IoSkipCurrentIrpStackLocation(Irp);
        } else {
            IoCopyCurrentIrpStackLocationToNext(Irp);
            if (x->SetRoutine)
                IoSetCompletionRoutine(Irp, KtIoFilterCompletion, x, x->OnSuccess, x->OnError, x->OnCancel);
        }
        return IoCallDriver(x->Lower, Irp);
    }
    switch (sp->MajorFunction) {
    case IRP_MJ_CREATE: x->Creates++; break;
    case IRP_MJ_CLEANUP: x->Cleanups++; break;
    case IRP_MJ_CLOSE: x->Closes++; break;
    case IRP_MJ_READ: {
        x->Reads++;
        PUCHAR buf = (DeviceObject->Flags & DO_BUFFERED_IO) ? Irp->AssociatedIrp.SystemBuffer
                     : (DeviceObject->Flags & DO_DIRECT_IO) ? MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority)
                                                            : Irp->UserBuffer;
        for (ULONG i = 0; i < sp->Parameters.Read.Length; i++)
            buf[i] = (UCHAR)(x->FillByte + i);
        x->Information = sp->Parameters.Read.Length;
        break;
    }
    default: break;
    }
    if (x->PendNoMark)
        return STATUS_PENDING;
    if (x->Pend) {
        IoMarkIrpPending(Irp);
        x->Held = Irp;
        if (x->Cancelable)
            IoSetCancelRoutine(Irp, KtpCancel);
        else
            KtIoRaiseInterrupt(DeviceObject);
        return STATUS_PENDING;
    }
    if (x->MarkNoPend)
        IoMarkIrpPending(Irp);
    NTSTATUS st = x->CompleteStatus;
    Irp->IoStatus.Status = st;
    Irp->IoStatus.Information = x->Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return st;
}

static NTSTATUS KtpEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = KtpDispatch;
    KeInitializeDpc(&KtpDpc, KtpDpcRoutine, NULL);
    return IoConnectInterrupt(&KtpInterrupt, KtpIsr, NULL, NULL, KT_IO_VECTOR, VECTOR_TO_IRQL(KT_IO_VECTOR),
                              VECTOR_TO_IRQL(KT_IO_VECTOR), Latched, FALSE, 1, FALSE);
}

PDRIVER_OBJECT KtIoDriver(void)
{
    if (!KtpDriver) {
        UNICODE_STRING n = RTL_CONSTANT_STRING(L"\\Driver\\KtIo");
        NTSTATUS st = IoCreateDriver(&n, KtpEntry);
        if (!NT_SUCCESS(st))
            KeBugCheckEx(MANUALLY_INITIATED_CRASH, st, 0, 0, 0);
        ObReferenceObjectByName(&n, 0, NULL, 0, *IoDriverObjectType, KernelMode, NULL, (PVOID *)&KtpDriver);
    }
    return KtpDriver;
}

PDEVICE_OBJECT KtIoCreateDevice(PCWSTR Name, ULONG Flags)
{
    UNICODE_STRING n;
    PDEVICE_OBJECT d;
    if (Name)
        RtlInitUnicodeString(&n, Name);
    if (!NT_SUCCESS(IoCreateDevice(KtIoDriver(), sizeof(KT_EXT), Name ? &n : NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &d)))
        return NULL;
    PKT_EXT x = d->DeviceExtension;
    RtlZeroMemory(x, sizeof(*x));
    x->Self = d;
    x->CompleteStatus = STATUS_SUCCESS;
    x->RoutineReturn = STATUS_SUCCESS;
    x->OnSuccess = x->OnError = x->OnCancel = TRUE;
    d->Flags |= Flags;
    d->Flags &= ~DO_DEVICE_INITIALIZING;
    return d;
}

VOID KtIoBuildStack(ULONG Count, PDEVICE_OBJECT *Devs)
{
    for (ULONG i = 0; i < Count; i++) {
        Devs[i] = KtIoCreateDevice(NULL, 0);
        KtExt(Devs[i])->Index = i;
        if (i) {
            KtExt(Devs[i])->Lower = IoAttachDeviceToDeviceStack(Devs[i], Devs[i - 1]);
            KtExt(Devs[i])->SetRoutine = TRUE;
            KtExt(Devs[i])->MarkInRoutine = TRUE; /* what a correct filter does */
        }
    }
}

VOID KtIoDestroyStack(ULONG Count, PDEVICE_OBJECT *Devs)
{
    for (ULONG i = Count; i-- > 0;) {
        if (i)
            IoDetachDevice(Devs[i - 1]);
        IoDeleteDevice(Devs[i]);
    }
}

static PDRIVER_DISPATCH KtpPendingDispatch;
static NTSTATUS KtpGenericEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = KtpPendingDispatch;
    return STATUS_SUCCESS;
}

PDRIVER_OBJECT KtIoCreateDriver(PCWSTR Name, PDRIVER_DISPATCH Dispatch)
{
    UNICODE_STRING n;
    PDRIVER_OBJECT d;
    RtlInitUnicodeString(&n, Name);
    if (NT_SUCCESS(ObReferenceObjectByName(&n, 0, NULL, 0, *IoDriverObjectType, KernelMode, NULL, (PVOID *)&d))) {
        ObDereferenceObject(d);
        return d;
    }
    KtpPendingDispatch = Dispatch;
    if (!NT_SUCCESS(IoCreateDriver(&n, KtpGenericEntry)))
        return NULL;
    ObReferenceObjectByName(&n, 0, NULL, 0, *IoDriverObjectType, KernelMode, NULL, (PVOID *)&d);
    ObDereferenceObject(d);
    return d;
}

PDEVICE_OBJECT KtIoCreateDeviceFor(PDRIVER_OBJECT Driver)
{
    PDEVICE_OBJECT d;
    if (!NT_SUCCESS(IoCreateDevice(Driver, sizeof(KT_EXT), NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &d)))
        return NULL;
    RtlZeroMemory(d->DeviceExtension, sizeof(KT_EXT));
    KtExt(d)->Self = d;
    d->Flags &= ~DO_DEVICE_INITIALIZING;
    return d;
}
