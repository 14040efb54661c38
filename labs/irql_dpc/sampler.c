/* labs/irql_dpc/sampler.c - the IRQL-and-DPC lab: a periodic KTIMER whose DPC samples the
 * interrupt-time clock into a ring, and an IOCTL that returns a consistent copy of it. */
#include <lab_sampler.h>

/* ---------------------------------------------------------------------------------------
 * Your part: the DPC, starting and stopping the timer, and the IOCTL's copy.
 * ------------------------------------------------------------------------------------- */

/* KDEFERRED_ROUTINE, IRQL == DISPATCH_LEVEL: queued by the timer's expiry, run from the
 * DISPATCH software interrupt. Context is the device extension. */
static VOID LabSamplerDpc(PKDPC Dpc, PVOID Context, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PLAB_SAMPLER_EXTENSION ext = Context;
    UNREFERENCED_PARAMETER(ext);
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    /* TODO 2: take one sample: under ext->Lock, advance ext->Data->Generation to g and fill
     * Samples[g % LAB_SAMPLES] (Sequence = g, InterruptTime, Irql, InDpc), then set
     * ext->Data->Tail = g. You are already
     * at DISPATCH_LEVEL here: which spin-lock calls fit? */
}

/* IRQL == PASSIVE_LEVEL (the IOCTL). A relative due time is negative, in 100 ns units. */
static NTSTATUS LabStart(PLAB_SAMPLER_EXTENSION ext, ULONG PeriodMs)
{
    UNREFERENCED_PARAMETER(ext);
    UNREFERENCED_PARAMETER(PeriodMs);
    /* TODO 1: refuse periods outside 1..1000 ms with STATUS_INVALID_PARAMETER; zero
     * ext->Data (under the lock: a DPC of an earlier start may still be due); start the
     * periodic timer with ext->Dpc (KeSetTimerEx). */
    return STATUS_NOT_IMPLEMENTED;
}

/* IRQL == PASSIVE_LEVEL. */
static VOID LabStop(PLAB_SAMPLER_EXTENSION ext)
{
    /* TODO 3: stop the timer. Once this returns, no sample may be taken. */
    ext->Running = FALSE;
}

/* IRQL == PASSIVE_LEVEL. */
static VOID LabCopySamples(PLAB_SAMPLER_EXTENSION ext, PLAB_SNAPSHOT Out)
{
    /* TODO 4: the DPC may run in the middle of this copy (it runs whenever IRQL drops below
     * DISPATCH_LEVEL, and a timer expires every millisecond). Make the copy consistent with
     * ext->Lock, and make sure no other thread can run on this processor while you hold it. */
    RtlCopyMemory(Out, ext->Data, sizeof(LAB_SNAPSHOT));
}

/* ---------------------------------------------------------------------------------------
 * Given: the device, its dispatch routine and DriverEntry.
 * ------------------------------------------------------------------------------------- */

/* IRQL == PASSIVE_LEVEL. */
static NTSTATUS LabSamplerDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PLAB_SAMPLER_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    if (sl->MajorFunction == IRP_MJ_DEVICE_CONTROL) {
        ULONG in = sl->Parameters.DeviceIoControl.InputBufferLength;
        ULONG out = sl->Parameters.DeviceIoControl.OutputBufferLength;
        switch (sl->Parameters.DeviceIoControl.IoControlCode) {
        case IOCTL_LAB_START:
            status = in < sizeof(ULONG) ? STATUS_BUFFER_TOO_SMALL
                                        : LabStart(ext, *(PULONG)Irp->AssociatedIrp.SystemBuffer);
            break;
        case IOCTL_LAB_STOP:
            LabStop(ext);
            break;
        case IOCTL_LAB_GET_SAMPLES:
            if (out < sizeof(LAB_SNAPSHOT)) {
                status = STATUS_BUFFER_TOO_SMALL;
                break;
            }
            LabCopySamples(ext, Irp->AssociatedIrp.SystemBuffer);
            Irp->IoStatus.Information = sizeof(LAB_SNAPSHOT);
            break;
        default:
            status = STATUS_INVALID_DEVICE_REQUEST;
        }
    } else if (sl->MajorFunction != IRP_MJ_CREATE && sl->MajorFunction != IRP_MJ_CLOSE &&
               sl->MajorFunction != IRP_MJ_CLEANUP) {
        status = STATUS_INVALID_DEVICE_REQUEST;
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* IRQL == PASSIVE_LEVEL. */
NTSTATUS LabSamplerEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(LAB_SAMPLER_DEVICE);
    PDEVICE_OBJECT dev;
    UNREFERENCED_PARAMETER(RegistryPath);
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(LAB_SAMPLER_EXTENSION), &name, FILE_DEVICE_UNKNOWN, 0,
                                     FALSE, &dev);
    if (!NT_SUCCESS(status))
        return status;
    PLAB_SAMPLER_EXTENSION ext = dev->DeviceExtension;
    /* TODO 0: the DPC writes this buffer at DISPATCH_LEVEL. Is paged pool right for it? */
    ext->Data = ExAllocatePool2(POOL_FLAG_PAGED, sizeof(LAB_SNAPSHOT), LAB_SAMPLER_TAG);
    if (!ext->Data) {
        IoDeleteDevice(dev);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    KeInitializeSpinLock(&ext->Lock);
    KeInitializeTimerEx(&ext->Timer, NotificationTimer);
    KeInitializeDpc(&ext->Dpc, LabSamplerDpc, ext);
    dev->Flags |= DO_BUFFERED_IO;
    dev->Flags &= ~DO_DEVICE_INITIALIZING;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = LabSamplerDispatch;
    return STATUS_SUCCESS;
}

IRQLAB_BUILTIN_DRIVER(32, L"\\Driver\\LabSampler", LabSamplerEntry);
