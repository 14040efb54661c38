/* startio.c - a sample driver in the WDK style built on the StartIo model: reads go through
 * IoStartPacket, DriverStartIo starts the "hardware" (a timer), its DPC completes the current
 * packet and starts the next; queued packets are cancelable. */
#include <ntddk.h>
#include "startio.h"

typedef struct _DEVICE_EXTENSION {
    KTIMER TransferTimer; /* the device: a transfer takes STARTIO_TRANSFER_TIME */
    KDPC TransferDpc;
    ULONG Sequence;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD SioUnload;
DRIVER_STARTIO SioStartIo;
DRIVER_CANCEL SioCancel;
KDEFERRED_ROUTINE SioTransferDone;
_Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE) DRIVER_DISPATCH SioCreateClose;
_Dispatch_type_(IRP_MJ_READ) DRIVER_DISPATCH SioRead;

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, SioUnload)
#pragma alloc_text(PAGE, SioCreateClose)
#endif

_Use_decl_annotations_
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT deviceObject;
    PDEVICE_EXTENSION ext;
    UNICODE_STRING ntDeviceName, symbolicLinkName;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    RtlInitUnicodeString(&ntDeviceName, STARTIO_DEVICE_NAME);
    status = IoCreateDevice(DriverObject, sizeof(DEVICE_EXTENSION), &ntDeviceName, FILE_DEVICE_UNKNOWN, 0, FALSE,
                            &deviceObject);
    if (!NT_SUCCESS(status))
        return status;
    RtlInitUnicodeString(&symbolicLinkName, STARTIO_DOS_NAME);
    status = IoCreateSymbolicLink(&symbolicLinkName, &ntDeviceName);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(deviceObject);
        return status;
    }
    ext = deviceObject->DeviceExtension;
    KeInitializeTimer(&ext->TransferTimer);
    KeInitializeDpc(&ext->TransferDpc, SioTransferDone, deviceObject);
    deviceObject->Flags |= DO_BUFFERED_IO;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = SioCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = SioCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = SioRead;
    DriverObject->DriverStartIo = SioStartIo;
    DriverObject->DriverUnload = SioUnload;
    deviceObject->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID SioUnload(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING symbolicLinkName;
    PAGED_CODE();
    RtlInitUnicodeString(&symbolicLinkName, STARTIO_DOS_NAME);
    IoDeleteSymbolicLink(&symbolicLinkName);
    IoDeleteDevice(DriverObject->DeviceObject);
}

_Use_decl_annotations_
NTSTATUS SioCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PAGED_CODE();
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS SioRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    if (IoGetCurrentIrpStackLocation(Irp)->Parameters.Read.Length < sizeof(ULONG)) {
        Irp->IoStatus.Status = STATUS_INVALID_PARAMETER;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_INVALID_PARAMETER;
    }
    IoMarkIrpPending(Irp);
    IoStartPacket(DeviceObject, Irp, NULL, SioCancel);
    return STATUS_PENDING;
}

/* IRQL == DISPATCH_LEVEL. The packet is the device's current one now: it stops being
 * cancelable (a transfer in progress runs to its end) and the transfer starts. */
_Use_decl_annotations_
VOID SioStartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    LARGE_INTEGER due;
    KIRQL cancelIrql;

    IoAcquireCancelSpinLock(&cancelIrql);
    if (Irp != DeviceObject->CurrentIrp || Irp->Cancel) {
        /* the cancel routine owns it (and started the next packet) */
        IoReleaseCancelSpinLock(cancelIrql);
        return;
    }
    IoSetCancelRoutine(Irp, NULL);
    IoReleaseCancelSpinLock(cancelIrql);
    due.QuadPart = STARTIO_TRANSFER_TIME;
    KeSetTimer(&ext->TransferTimer, due, &ext->TransferDpc);
}

/* The "interrupt": the transfer finished. Complete the current packet, start the next. */
_Use_decl_annotations_
VOID SioTransferDone(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PDEVICE_OBJECT deviceObject = DeferredContext;
    PDEVICE_EXTENSION ext = deviceObject->DeviceExtension;
    PIRP irp = deviceObject->CurrentIrp;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    *(PULONG)irp->AssociatedIrp.SystemBuffer = ++ext->Sequence;
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = sizeof(ULONG);
    IoStartNextPacket(deviceObject, TRUE);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

/* Called with the cancel spin lock held. A queued packet leaves the device queue; the
 * current one (cancelled between IoStartPacket and SioStartIo) gives way to the next. */
_Use_decl_annotations_
VOID SioCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    if (Irp == DeviceObject->CurrentIrp) {
        KIRQL oldIrql;
        IoReleaseCancelSpinLock(Irp->CancelIrql);
        KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
        IoStartNextPacket(DeviceObject, TRUE);
        KeLowerIrql(oldIrql);
    } else {
        KeRemoveEntryDeviceQueue(&DeviceObject->DeviceQueue, &Irp->Tail.Overlay.DeviceQueueEntry);
        IoReleaseCancelSpinLock(Irp->CancelIrql);
    }
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}
