/* drivers/ramdisk/rdisr.c - the "controller": a request is started by arming a real
 * interrupt (self-IPI, or the PIT one-shot through the I/O APIC); the ISR queues the DPC, and
 * the DPC moves the data and completes the IRP at DISPATCH_LEVEL. */
#include "ramdisk.h"
#include "../../kernel/hal/hal.h"

/* IRQL: any; called with Ext->Lock held. */
VOID RdStartController(PRAMDISK_EXTENSION Ext)
{
    if (Ext->LatencyUs)
        HalPitStartOneShot(Ext->LatencyUs);
    else if (Ext->TargetApic >= 0)
        HalSendIpi((ULONG)Ext->TargetApic, RD_VECTOR); /* ramdisk.cpu=N */
    else
        HalSendSelfIpi(RD_VECTOR);
}

/* Runs at the disk's DIRQL with the interrupt spin lock held: acknowledge, defer the rest. */
BOOLEAN RdInterruptService(PKINTERRUPT Interrupt, PVOID ServiceContext)
{
    PRAMDISK_EXTENSION ext = ServiceContext;
    UNREFERENCED_PARAMETER(Interrupt);
    ext->Stats.Interrupts++;
    KeInsertQueueDpc(&ext->Dpc, NULL, NULL);
    return TRUE;
}

/* DISPATCH_LEVEL. Finishes the current request and starts the next one before completing,
 * so the controller is busy while completion routines run up the stack. */
VOID RdDpcForIsr(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PRAMDISK_EXTENSION ext = DeferredContext;
    PIRP irp;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);

    ext->Stats.Dpcs++;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    irp = ext->Current;
    ext->Current = IsListEmpty(&ext->Queue)
                       ? NULL
                       : CONTAINING_RECORD(RemoveHeadList(&ext->Queue), IRP, Tail.Overlay.ListEntry);
    if (ext->Current)
        RdStartController(ext);
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    if (!irp)
        return; /* a spurious interrupt: nothing was in flight */

    irp->IoStatus.Status = RdTransfer(ext, irp);
    ext->Stats.LastCompletionIrql = KeGetCurrentIrql();
    IoCompleteRequest(irp, IO_DISK_INCREMENT);
}
