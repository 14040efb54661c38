/* event.c - a sample driver in the WDK style: an IOCTL pends its IRP and a timer DPC
 * completes it later; the IRP is cancelable, and a close cancels what the file left pending. */
#include <ntddk.h>
#include "event.h"

#define TAG_EVENT 'tvE'

typedef struct _DEVICE_EXTENSION {
    KSPIN_LOCK QueueLock;
    LIST_ENTRY EventQueueHead; /* NOTIFY_RECORDs of pended IRPs */
} DEVICE_EXTENSION, *PDEVICE_EXTENSION;

typedef struct _NOTIFY_RECORD {
    LIST_ENTRY ListEntry;
    PIRP PendingIrp;
    PFILE_OBJECT FileObject;
    PDEVICE_EXTENSION Extension;
    KTIMER Timer;
    KDPC Dpc;
} NOTIFY_RECORD, *PNOTIFY_RECORD;

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD EventUnload;
_Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE) DRIVER_DISPATCH EventCreateClose;
_Dispatch_type_(IRP_MJ_CLEANUP) DRIVER_DISPATCH EventCleanup;
_Dispatch_type_(IRP_MJ_DEVICE_CONTROL) DRIVER_DISPATCH EventDispatchIoControl;
DRIVER_CANCEL EventCancelRoutine;
KDEFERRED_ROUTINE CustomTimerDPC;

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, EventUnload)
#pragma alloc_text(PAGE, EventCreateClose)
#endif

_Use_decl_annotations_
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT deviceObject;
    PDEVICE_EXTENSION deviceExtension;
    UNICODE_STRING ntDeviceName, symbolicLinkName;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(RegistryPath);
    ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
    RtlInitUnicodeString(&ntDeviceName, EVENT_DEVICE_NAME);
    status = IoCreateDevice(DriverObject, sizeof(DEVICE_EXTENSION), &ntDeviceName, FILE_DEVICE_UNKNOWN,
                            FILE_DEVICE_SECURE_OPEN, FALSE, &deviceObject);
    if (!NT_SUCCESS(status)) {
        DbgPrint("Event: IoCreateDevice failed 0x%x\n", status);
        return status;
    }
    deviceExtension = deviceObject->DeviceExtension;
    KeInitializeSpinLock(&deviceExtension->QueueLock);
    InitializeListHead(&deviceExtension->EventQueueHead);

    RtlInitUnicodeString(&symbolicLinkName, EVENT_DOS_NAME);
    status = IoCreateSymbolicLink(&symbolicLinkName, &ntDeviceName);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(deviceObject);
        return status;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = EventCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = EventCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = EventCleanup;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = EventDispatchIoControl;
    DriverObject->DriverUnload = EventUnload;
    deviceObject->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID EventUnload(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING symbolicLinkName;
    PAGED_CODE();
    RtlInitUnicodeString(&symbolicLinkName, EVENT_DOS_NAME);
    IoDeleteSymbolicLink(&symbolicLinkName);
    IoDeleteDevice(DriverObject->DeviceObject);
}

_Use_decl_annotations_
NTSTATUS EventCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PAGED_CODE();
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* The timer fired: complete the IRP unless a cancel already owns it. IRQL == DISPATCH_LEVEL. */
_Use_decl_annotations_
VOID CustomTimerDPC(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PNOTIFY_RECORD notifyRecord = DeferredContext;
    PDEVICE_EXTENSION ext = notifyRecord->Extension;
    PIRP irp;

    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    KeAcquireSpinLockAtDpcLevel(&ext->QueueLock);
    irp = notifyRecord->PendingIrp;
    if (IoSetCancelRoutine(irp, NULL) == NULL) {
        /* IoCancelIrp took the cancel routine: it completes the IRP and frees the record */
        KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
        return;
    }
    RemoveEntryList(&notifyRecord->ListEntry);
    KeReleaseSpinLockFromDpcLevel(&ext->QueueLock);
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    ExFreePoolWithTag(notifyRecord, TAG_EVENT);
}

_Use_decl_annotations_
VOID EventCancelRoutine(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    PNOTIFY_RECORD notifyRecord;
    KIRQL oldIrql;

    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&ext->QueueLock, &oldIrql);
    notifyRecord = Irp->Tail.Overlay.DriverContext[0];
    RemoveEntryList(&notifyRecord->ListEntry);
    /* the timer or its DPC must not run on a freed record */
    KeCancelTimer(&notifyRecord->Timer);
    KeRemoveQueueDpc(&notifyRecord->Dpc);
    KeReleaseSpinLock(&ext->QueueLock, oldIrql);
    ExFreePoolWithTag(notifyRecord, TAG_EVENT);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static NTSTATUS RegisterIrpBasedNotification(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION irpStack = IoGetCurrentIrpStackLocation(Irp);
    PREGISTER_EVENT registerEvent = Irp->AssociatedIrp.SystemBuffer;
    PNOTIFY_RECORD notifyRecord;
    KIRQL oldIrql;

    notifyRecord = ExAllocatePoolZero(NonPagedPoolNx, sizeof(NOTIFY_RECORD), TAG_EVENT);
    if (notifyRecord == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    notifyRecord->PendingIrp = Irp;
    notifyRecord->FileObject = irpStack->FileObject;
    notifyRecord->Extension = ext;
    KeInitializeDpc(&notifyRecord->Dpc, CustomTimerDPC, notifyRecord);
    KeInitializeTimer(&notifyRecord->Timer);
    Irp->Tail.Overlay.DriverContext[0] = notifyRecord;

    KeAcquireSpinLock(&ext->QueueLock, &oldIrql);
    IoSetCancelRoutine(Irp, EventCancelRoutine);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        KeReleaseSpinLock(&ext->QueueLock, oldIrql);
        ExFreePoolWithTag(notifyRecord, TAG_EVENT);
        return STATUS_CANCELLED;
    }
    IoMarkIrpPending(Irp);
    InsertTailList(&ext->EventQueueHead, &notifyRecord->ListEntry);
    KeSetTimer(&notifyRecord->Timer, registerEvent->DueTime, &notifyRecord->Dpc);
    KeReleaseSpinLock(&ext->QueueLock, oldIrql);
    return STATUS_PENDING;
}

_Use_decl_annotations_
NTSTATUS EventDispatchIoControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION irpStack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;

    /* not pageable: registering takes the queue spin lock */
    switch (irpStack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_REGISTER_EVENT:
        if (irpStack->Parameters.DeviceIoControl.InputBufferLength < sizeof(REGISTER_EVENT)) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        status = RegisterIrpBasedNotification(DeviceObject, Irp);
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    if (status != STATUS_PENDING) {
        Irp->IoStatus.Status = status;
        Irp->IoStatus.Information = 0;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
    }
    return status;
}

/* The handle closed: every IRP it left pending completes as cancelled. */
_Use_decl_annotations_
NTSTATUS EventCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    LIST_ENTRY cleanupList;
    PLIST_ENTRY entry, next;
    KIRQL oldIrql;

    InitializeListHead(&cleanupList);
    KeAcquireSpinLock(&ext->QueueLock, &oldIrql);
    for (entry = ext->EventQueueHead.Flink; entry != &ext->EventQueueHead; entry = next) {
        PNOTIFY_RECORD notifyRecord = CONTAINING_RECORD(entry, NOTIFY_RECORD, ListEntry);
        next = entry->Flink;
        if (notifyRecord->FileObject != file)
            continue;
        if (IoSetCancelRoutine(notifyRecord->PendingIrp, NULL) == NULL)
            continue; /* being cancelled: the cancel routine completes it */
        RemoveEntryList(entry);
        KeCancelTimer(&notifyRecord->Timer);
        KeRemoveQueueDpc(&notifyRecord->Dpc);
        InsertTailList(&cleanupList, entry);
    }
    KeReleaseSpinLock(&ext->QueueLock, oldIrql);
    while (!IsListEmpty(&cleanupList)) {
        PNOTIFY_RECORD notifyRecord = CONTAINING_RECORD(RemoveHeadList(&cleanupList), NOTIFY_RECORD, ListEntry);
        PIRP pending = notifyRecord->PendingIrp;
        ExFreePoolWithTag(notifyRecord, TAG_EVENT);
        pending->IoStatus.Status = STATUS_CANCELLED;
        pending->IoStatus.Information = 0;
        IoCompleteRequest(pending, IO_NO_INCREMENT);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
