/* drivers/ramdisk/rdisr.c - the "controller": a request is started by arming a real
 * interrupt (self-IPI, or the PIT one-shot through the I/O APIC); the ISR queues the DPC, and
 * the DPC moves the data and completes the IRP at DISPATCH_LEVEL. */
#include "ramdisk.h"

/* IRQL: any; called with Ext->Lock held. A jitter rule adds seeded latency, which needs the
 * PIT, connected the first time. */
VOID RdStartController(PRAMDISK_EXTENSION Ext)
{
    ULONG us = Ext->LatencyUs + VfDiskJitterUs();
    if (us && !Ext->TimerConnected) {
        Ext->Gsi = RamCtlConnectTimer(RD_VECTOR);
        Ext->TimerConnected = TRUE;
    } else if (!us && Ext->TimerConnected && !Ext->LatencyUs) {
        RamCtlDisconnectTimer(Ext->Gsi); /* connected for a jitter rule that is gone: give the PIT back */
        Ext->TimerConnected = FALSE;
    }
    RamCtlRaiseInterrupt(RD_VECTOR, us);
}

/* Runs at the disk's DIRQL with the interrupt spin lock held: acknowledge, defer the rest.
 * With nothing in flight the interrupt is not this controller's (a spurious one): say so. */
BOOLEAN RdInterruptService(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PRAMDISK_EXTENSION ext = ServiceContext;
    UNREFERENCED_PARAMETER(Interrupt);
    if (!__atomic_load_n(&ext->Current, __ATOMIC_ACQUIRE)) {
        ext->Stats.Spurious++;
        return FALSE;
    }
    ext->Stats.Interrupts++;
    KeInsertQueueDpc(&ext->Dpc, NULL, NULL);
    return TRUE;
}

/* Lock held. The oldest queued request, or another one when a reorder rule picks it: a real
 * controller with command queueing completes in its own order. */
static PIRP RdpNextRequest(PRAMDISK_EXTENSION Ext)
{
    ULONG queued = 0, pick;
    PLIST_ENTRY e;
    for (e = Ext->Queue.Flink; e != &Ext->Queue; e = e->Flink)
        queued++;
    if (!queued)
        return NULL;
    pick = VfDiskPickNext(queued);
    for (e = Ext->Queue.Flink; pick--; e = e->Flink)
        ;
    RemoveEntryList(e);
    return CONTAINING_RECORD(e, IRP, Tail.Overlay.ListEntry);
}

/* DISPATCH_LEVEL. Finishes the current request (and, with ramdisk.batch=N, up to N - 1 of those
 * queued behind it, which the controller did in the same interrupt) and starts the next one
 * before completing, so the controller is busy while completion routines run up the stack. */
VOID RdDpcForIsr(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PRAMDISK_EXTENSION ext = DeferredContext;
    PIRP irp;
    LIST_ENTRY batch;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);

    ext->Stats.Dpcs++;
    InitializeListHead(&batch);
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    irp = ext->Current;
    for (ULONG n = 1; irp && n < ext->Batch; n++) {
        PIRP more = RdpNextRequest(ext);
        if (!more)
            break;
        InsertTailList(&batch, &more->Tail.Overlay.ListEntry);
    }
    ext->Current = RdpNextRequest(ext);
    if (ext->Current)
        RdStartController(ext);
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    if (!irp)
        return; /* a spurious interrupt: nothing was in flight */

    for (;;) {
        irp->IoStatus.Status = RdTransfer(ext, irp);
        ext->Stats.LastCompletionIrql = KeGetCurrentIrql();
        IoCompleteRequest(irp, IO_DISK_INCREMENT);
        if (IsListEmpty(&batch))
            break;
        irp = CONTAINING_RECORD(RemoveHeadList(&batch), IRP, Tail.Overlay.ListEntry);
        ext->Stats.Batched++;
    }
    if (!__atomic_load_n(&ext->Current, __ATOMIC_ACQUIRE) && VfDiskSpuriousInterrupt())
        RamCtlRaiseInterrupt(RD_VECTOR, 0);
}
