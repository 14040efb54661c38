/* ke/devqueue.c - device queues: a busy flag and an ordered list under a spin lock, the
 * kernel half of StartIo (io/startio.c) and of drivers' own request queues. */
#include "ki.h"

/* IRQL <= DISPATCH_LEVEL (rule IrqlKeDispatchLte). */
VOID KeInitializeDeviceQueue(PKDEVICE_QUEUE DeviceQueue)
{
    VF_DDI_CHECK(KeInitializeDeviceQueue);
    DeviceQueue->Type = 0x14; /* DeviceQueueObject */
    DeviceQueue->Size = sizeof(KDEVICE_QUEUE);
    InitializeListHead(&DeviceQueue->DeviceListHead);
    KeInitializeSpinLock(&DeviceQueue->Lock);
    DeviceQueue->Busy = FALSE;
}

static BOOLEAN KipInsert(PKDEVICE_QUEUE Q, PKDEVICE_QUEUE_ENTRY E, BOOLEAN ByKey, ULONG Key)
{
    BOOLEAN queued;
    KeAcquireSpinLockAtDpcLevel(&Q->Lock);
    if (!Q->Busy) {
        Q->Busy = TRUE;
        queued = FALSE;
    } else {
        PLIST_ENTRY before = &Q->DeviceListHead;
        E->SortKey = Key;
        if (ByKey) /* after every entry whose key is <= Key: equal keys stay first come first served */
            for (before = Q->DeviceListHead.Flink; before != &Q->DeviceListHead; before = before->Flink)
                if (CONTAINING_RECORD(before, KDEVICE_QUEUE_ENTRY, DeviceListEntry)->SortKey > Key)
                    break;
        InsertTailList(before, &E->DeviceListEntry);
        queued = TRUE;
    }
    E->Inserted = queued;
    KeReleaseSpinLockFromDpcLevel(&Q->Lock);
    return queued;
}

/* IRQL == DISPATCH_LEVEL (rule IrqlDispatch). */
BOOLEAN KeInsertDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry)
{
    VF_DDI_CHECK(KeInsertDeviceQueue);
    return KipInsert(DeviceQueue, DeviceQueueEntry, FALSE, 0);
}

/* IRQL == DISPATCH_LEVEL (rule IrqlDispatch). */
BOOLEAN KeInsertByKeyDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry, ULONG SortKey)
{
    VF_DDI_CHECK(KeInsertByKeyDeviceQueue);
    return KipInsert(DeviceQueue, DeviceQueueEntry, TRUE, SortKey);
}

static PKDEVICE_QUEUE_ENTRY KipRemove(PKDEVICE_QUEUE Q, BOOLEAN ByKey, ULONG Key)
{
    PKDEVICE_QUEUE_ENTRY e = NULL;
    KeAcquireSpinLockAtDpcLevel(&Q->Lock);
    if (!Q->Busy)
        KeBugCheckEx(DEVICE_QUEUE_NOT_BUSY, (ULONG_PTR)Q, 0, 0, 0);
    if (IsListEmpty(&Q->DeviceListHead)) {
        Q->Busy = FALSE;
    } else {
        PLIST_ENTRY l = Q->DeviceListHead.Flink;
        if (ByKey) { /* the first with a key >= Key, else the first of all */
            for (PLIST_ENTRY x = l; x != &Q->DeviceListHead; x = x->Flink)
                if (CONTAINING_RECORD(x, KDEVICE_QUEUE_ENTRY, DeviceListEntry)->SortKey >= Key) {
                    l = x;
                    break;
                }
        }
        RemoveEntryList(l);
        e = CONTAINING_RECORD(l, KDEVICE_QUEUE_ENTRY, DeviceListEntry);
        e->Inserted = FALSE;
    }
    KeReleaseSpinLockFromDpcLevel(&Q->Lock);
    return e;
}

/* IRQL == DISPATCH_LEVEL (rule IrqlDispatch). */
PKDEVICE_QUEUE_ENTRY KeRemoveDeviceQueue(PKDEVICE_QUEUE DeviceQueue)
{
    VF_DDI_CHECK(KeRemoveDeviceQueue);
    return KipRemove(DeviceQueue, FALSE, 0);
}

/* IRQL == DISPATCH_LEVEL (rule IrqlDispatch). */
PKDEVICE_QUEUE_ENTRY KeRemoveByKeyDeviceQueue(PKDEVICE_QUEUE DeviceQueue, ULONG SortKey)
{
    VF_DDI_CHECK(KeRemoveDeviceQueue);
    return KipRemove(DeviceQueue, TRUE, SortKey);
}

/* IRQL <= DISPATCH_LEVEL (rule IrqlKeDispatchLte). */
BOOLEAN KeRemoveEntryDeviceQueue(PKDEVICE_QUEUE DeviceQueue, PKDEVICE_QUEUE_ENTRY DeviceQueueEntry)
{
    VF_DDI_CHECK(KeRemoveEntryDeviceQueue);
    KIRQL old;
    KeAcquireSpinLock(&DeviceQueue->Lock, &old);
    BOOLEAN was = DeviceQueueEntry->Inserted;
    if (was) {
        RemoveEntryList(&DeviceQueueEntry->DeviceListEntry);
        DeviceQueueEntry->Inserted = FALSE;
    }
    KeReleaseSpinLock(&DeviceQueue->Lock, old);
    return was;
}
