/* io/startio.c - the StartIo model: IoStartPacket hands a packet to DriverStartIo or queues it
 * in the device queue; IoStartNextPacket starts the next; queued packets can be cancelable. */
#include "iop.h"

/* IRQL <= DISPATCH_LEVEL. The cancel spin lock is held from setting the cancel routine until
 * the packet is in the queue, so IoCancelIrp either finds it queued or not yet cancelable. */
VOID IoStartPacket(PDEVICE_OBJECT DeviceObject, PIRP Irp, PULONG Key, PDRIVER_CANCEL CancelFunction)
{
    VF_DDI_CHECK(IoStartPacket);
    KIRQL old, cancelIrql = PASSIVE_LEVEL;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    if (CancelFunction) {
        IoAcquireCancelSpinLock(&cancelIrql);
        IoSetCancelRoutine(Irp, CancelFunction);
    }
    PKDEVICE_QUEUE_ENTRY e = &Irp->Tail.Overlay.DeviceQueueEntry;
    BOOLEAN queued = Key ? KeInsertByKeyDeviceQueue(&DeviceObject->DeviceQueue, e, *Key)
                         : KeInsertDeviceQueue(&DeviceObject->DeviceQueue, e);
    if (!queued) {
        DeviceObject->CurrentIrp = Irp;
        if (CancelFunction)
            IoReleaseCancelSpinLock(cancelIrql);
        DeviceObject->DriverObject->DriverStartIo(DeviceObject, Irp);
    } else if (CancelFunction && Irp->Cancel && IoSetCancelRoutine(Irp, NULL)) {
        /* cancelled before it became cancelable: the cancel routine runs now, as IoCancelIrp
         * would have run it, with the cancel spin lock held */
        Irp->CancelIrql = cancelIrql;
        CancelFunction(DeviceObject, Irp);
    } else if (CancelFunction) {
        IoReleaseCancelSpinLock(cancelIrql);
    }
    KeLowerIrql(old);
}

static VOID IopStartNext(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable, BOOLEAN ByKey, ULONG Key)
{
    KIRQL cancelIrql = DISPATCH_LEVEL;
    if (Cancelable)
        IoAcquireCancelSpinLock(&cancelIrql);
    DeviceObject->CurrentIrp = NULL;
    PKDEVICE_QUEUE_ENTRY e = ByKey ? KeRemoveByKeyDeviceQueue(&DeviceObject->DeviceQueue, Key)
                                   : KeRemoveDeviceQueue(&DeviceObject->DeviceQueue);
    PIRP irp = e ? CONTAINING_RECORD(e, IRP, Tail.Overlay.DeviceQueueEntry) : NULL;
    DeviceObject->CurrentIrp = irp;
    if (Cancelable)
        IoReleaseCancelSpinLock(cancelIrql);
    if (irp)
        DeviceObject->DriverObject->DriverStartIo(DeviceObject, irp);
}

/* IRQL == DISPATCH_LEVEL (rule IrqlDispatch). Note: the next DriverStartIo runs inside this
 * call (Windows defers a recursive start with IoSetStartIoAttributes; not here). */
VOID IoStartNextPacket(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable)
{
    VF_DDI_CHECK(IoStartNextPacket);
    IopStartNext(DeviceObject, Cancelable, FALSE, 0);
}

/* IRQL == DISPATCH_LEVEL (rule IrqlDispatch). */
VOID IoStartNextPacketByKey(PDEVICE_OBJECT DeviceObject, BOOLEAN Cancelable, ULONG Key)
{
    VF_DDI_CHECK(IoStartNextPacket);
    IopStartNext(DeviceObject, Cancelable, TRUE, Key);
}
