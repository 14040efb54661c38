/* cancelsafe.c - a sample driver in the WDK style built on a cancel-safe queue: reads are
 * queued with IoCsqInsertIrp, released by an IOCTL, cancelled by IoCancelIrp or by a close. */
#include <ntddk.h>
#include "cancelsafe.h"

typedef struct _DEVICE_EXTENSION {
    IO_CSQ CancelSafeQueue;
    KSPIN_LOCK QueueLock;
    LIST_ENTRY PendingIrpQueue;
    IO_REMOVE_LOCK RemoveLock;
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD CsampUnload;
_Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE) DRIVER_DISPATCH CsampCreateClose;
_Dispatch_type_(IRP_MJ_READ) DRIVER_DISPATCH CsampRead;
_Dispatch_type_(IRP_MJ_CLEANUP) DRIVER_DISPATCH CsampCleanup;
_Dispatch_type_(IRP_MJ_DEVICE_CONTROL) DRIVER_DISPATCH CsampDeviceControl;
IO_CSQ_INSERT_IRP CsampInsertIrp;
IO_CSQ_REMOVE_IRP CsampRemoveIrp;
IO_CSQ_PEEK_NEXT_IRP CsampPeekNextIrp;
IO_CSQ_ACQUIRE_LOCK CsampAcquireLock;
IO_CSQ_RELEASE_LOCK CsampReleaseLock;
IO_CSQ_COMPLETE_CANCELED_IRP CsampCompleteCanceledIrp;

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, CsampUnload)
#pragma alloc_text(PAGE, CsampCreateClose)
#endif

_Use_decl_annotations_
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT deviceObject;
    PDEVICE_EXTENSION devExtension;
    UNICODE_STRING ntDeviceName, symbolicLinkName;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    RtlInitUnicodeString(&ntDeviceName, CSAMP_DEVICE_NAME);
    status = IoCreateDevice(DriverObject, sizeof(DEVICE_EXTENSION), &ntDeviceName, FILE_DEVICE_UNKNOWN, 0, FALSE,
                            &deviceObject);
    if (!NT_SUCCESS(status))
        return status;
    devExtension = deviceObject->DeviceExtension;
    RtlInitUnicodeString(&symbolicLinkName, CSAMP_DOS_NAME);
    status = IoCreateSymbolicLink(&symbolicLinkName, &ntDeviceName);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(deviceObject);
        return status;
    }
    deviceObject->Flags |= DO_BUFFERED_IO;
    KeInitializeSpinLock(&devExtension->QueueLock);
    InitializeListHead(&devExtension->PendingIrpQueue);
    IoInitializeRemoveLock(&devExtension->RemoveLock, 'pmaS', 0, 0);
    IoCsqInitialize(&devExtension->CancelSafeQueue, CsampInsertIrp, CsampRemoveIrp, CsampPeekNextIrp,
                    CsampAcquireLock, CsampReleaseLock, CsampCompleteCanceledIrp);

    DriverObject->MajorFunction[IRP_MJ_CREATE] = CsampCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = CsampCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = CsampRead;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = CsampCleanup;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = CsampDeviceControl;
    DriverObject->DriverUnload = CsampUnload;
    deviceObject->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS CsampCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PAGED_CODE();
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* Each queued read holds the remove lock (tag: the IRP) until it completes. */
_Use_decl_annotations_
NTSTATUS CsampRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION devExtension = DeviceObject->DeviceExtension;
    NTSTATUS status = IoAcquireRemoveLock(&devExtension->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        Irp->IoStatus.Status = status;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    IoCsqInsertIrp(&devExtension->CancelSafeQueue, Irp, NULL);
    return STATUS_PENDING;
}

_Use_decl_annotations_
NTSTATUS CsampDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION devExtension = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION irpStack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_INVALID_DEVICE_REQUEST;

    if (irpStack->Parameters.DeviceIoControl.IoControlCode == IOCTL_CSAMP_COMPLETE_NEXT) {
        PIRP pendingIrp = IoCsqRemoveNextIrp(&devExtension->CancelSafeQueue, NULL);
        status = STATUS_NOT_FOUND;
        if (pendingIrp) {
            ULONG length = IoGetCurrentIrpStackLocation(pendingIrp)->Parameters.Read.Length;
            RtlFillMemory(pendingIrp->AssociatedIrp.SystemBuffer, length, CSAMP_FILL);
            pendingIrp->IoStatus.Status = STATUS_SUCCESS;
            pendingIrp->IoStatus.Information = length;
            IoCompleteRequest(pendingIrp, IO_NO_INCREMENT);
            IoReleaseRemoveLock(&devExtension->RemoveLock, pendingIrp);
            status = STATUS_SUCCESS;
        }
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* The handle closed: its queued reads complete as cancelled. */
_Use_decl_annotations_
NTSTATUS CsampCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION devExtension = DeviceObject->DeviceExtension;
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    PIRP pendingIrp;

    while ((pendingIrp = IoCsqRemoveNextIrp(&devExtension->CancelSafeQueue, file)) != NULL) {
        pendingIrp->IoStatus.Status = STATUS_CANCELLED;
        pendingIrp->IoStatus.Information = 0;
        IoCompleteRequest(pendingIrp, IO_NO_INCREMENT);
        IoReleaseRemoveLock(&devExtension->RemoveLock, pendingIrp);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID CsampUnload(PDRIVER_OBJECT DriverObject)
{
    PDEVICE_OBJECT deviceObject = DriverObject->DeviceObject;
    PDEVICE_EXTENSION devExtension = deviceObject->DeviceExtension;
    UNICODE_STRING symbolicLinkName;
    PAGED_CODE();
    /* every queued read holds the lock: wait for them all before the device goes */
    IoAcquireRemoveLock(&devExtension->RemoveLock, DriverObject);
    IoReleaseRemoveLockAndWait(&devExtension->RemoveLock, DriverObject);
    RtlInitUnicodeString(&symbolicLinkName, CSAMP_DOS_NAME);
    IoDeleteSymbolicLink(&symbolicLinkName);
    IoDeleteDevice(deviceObject);
}

/* ---- The queue the CSQ routines keep: a list under a spin lock ---- */
_Use_decl_annotations_
VOID CsampInsertIrp(PIO_CSQ Csq, PIRP Irp)
{
    PDEVICE_EXTENSION devExtension = CONTAINING_RECORD(Csq, DEVICE_EXTENSION, CancelSafeQueue);
    InsertTailList(&devExtension->PendingIrpQueue, &Irp->Tail.Overlay.ListEntry);
}

_Use_decl_annotations_
VOID CsampRemoveIrp(PIO_CSQ Csq, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Csq);
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
}

/* The next IRP after Irp (or the first) whose file object is PeekContext (any when NULL). */
_Use_decl_annotations_
PIRP CsampPeekNextIrp(PIO_CSQ Csq, PIRP Irp, PVOID PeekContext)
{
    PDEVICE_EXTENSION devExtension = CONTAINING_RECORD(Csq, DEVICE_EXTENSION, CancelSafeQueue);
    PLIST_ENTRY listHead = &devExtension->PendingIrpQueue;
    PLIST_ENTRY nextEntry = Irp ? Irp->Tail.Overlay.ListEntry.Flink : listHead->Flink;

    for (; nextEntry != listHead; nextEntry = nextEntry->Flink) {
        PIRP nextIrp = CONTAINING_RECORD(nextEntry, IRP, Tail.Overlay.ListEntry);
        if (!PeekContext || IoGetCurrentIrpStackLocation(nextIrp)->FileObject == (PFILE_OBJECT)PeekContext)
            return nextIrp;
    }
    return NULL;
}

_Use_decl_annotations_
VOID CsampAcquireLock(PIO_CSQ Csq, PKIRQL Irql)
{
    PDEVICE_EXTENSION devExtension = CONTAINING_RECORD(Csq, DEVICE_EXTENSION, CancelSafeQueue);
    KeAcquireSpinLock(&devExtension->QueueLock, Irql);
}

_Use_decl_annotations_
VOID CsampReleaseLock(PIO_CSQ Csq, KIRQL Irql)
{
    PDEVICE_EXTENSION devExtension = CONTAINING_RECORD(Csq, DEVICE_EXTENSION, CancelSafeQueue);
    KeReleaseSpinLock(&devExtension->QueueLock, Irql);
}

_Use_decl_annotations_
VOID CsampCompleteCanceledIrp(PIO_CSQ Csq, PIRP Irp)
{
    PDEVICE_EXTENSION devExtension = CONTAINING_RECORD(Csq, DEVICE_EXTENSION, CancelSafeQueue);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    IoReleaseRemoveLock(&devExtension->RemoveLock, Irp);
}
