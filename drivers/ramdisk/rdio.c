/* drivers/ramdisk/rdio.c - read and write: validate like a Windows disk, then either move
 * the data at once (synchronous mode) or mark the IRP pending and queue it for the controller. */
#include "ramdisk.h"

/* IRQL <= DISPATCH_LEVEL. Moves the data for one validated IRP; the buffer is resident (an
 * MDL's system address, or a kernel caller's nonpaged buffer), so this is legal from a DPC. */
NTSTATUS RdTransfer(PRAMDISK_EXTENSION Ext, PIRP Irp)
{
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    BOOLEAN write = sl->MajorFunction == IRP_MJ_WRITE;
    ULONG length = write ? sl->Parameters.Write.Length : sl->Parameters.Read.Length;
    ULONG64 offset = (ULONG64)(write ? sl->Parameters.Write.ByteOffset.QuadPart : sl->Parameters.Read.ByteOffset.QuadPart);
    PUCHAR buffer = Irp->MdlAddress ? MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority)
                                    : Irp->UserBuffer;

    VF_DISK_FAULT fault;
    if (length && !buffer)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (VfDiskError(write, offset / RD_SECTOR_SIZE, length / RD_SECTOR_SIZE, &fault)) {
        /* A media error, as a disk reports it; a torn write lands its first sectors first. */
        ULONG landed = fault.TornSectors * RD_SECTOR_SIZE;
        if (landed)
            RtlCopyMemory(Ext->Image + offset, buffer, landed);
        Ext->Stats.Errors++;
        Irp->IoStatus.Information = landed;
        return fault.Status;
    }
    if (write) {
        RtlCopyMemory(Ext->Image + offset, buffer, length);
        Ext->Stats.Writes++;
        Ext->Stats.BytesWritten += length;
        if (VfShouldFail(VfSitePowerCut, offset / RD_SECTOR_SIZE, (PVOID)RdTransfer))
            RdPowerCut(Ext); /* this write landed, nothing after it will */
    } else {
        RtlCopyMemory(buffer, Ext->Image + offset, length);
        Ext->Stats.Reads++;
        Ext->Stats.BytesRead += length;
    }
    Irp->IoStatus.Information = length;
    return STATUS_SUCCESS;
}

/* Disk rules, as classpnp applies them: sector-aligned offset and length, inside the disk. */
static NTSTATUS RdpValidate(PRAMDISK_EXTENSION Ext, PIO_STACK_LOCATION Sl)
{
    BOOLEAN write = Sl->MajorFunction == IRP_MJ_WRITE;
    ULONG length = write ? Sl->Parameters.Write.Length : Sl->Parameters.Read.Length;
    LONGLONG offset = write ? Sl->Parameters.Write.ByteOffset.QuadPart : Sl->Parameters.Read.ByteOffset.QuadPart;
    if (offset < 0 || (offset % RD_SECTOR_SIZE) || (length % RD_SECTOR_SIZE))
        return STATUS_INVALID_PARAMETER;
    if ((ULONG64)offset > Ext->Length || length > Ext->Length - (ULONG64)offset)
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

/* IRQL <= DISPATCH_LEVEL. */
NTSTATUS RdDispatchReadWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PRAMDISK_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = RdpValidate(ext, sl);
    KIRQL old;

    Irp->IoStatus.Information = 0;
    if (!NT_SUCCESS(status) || ext->Synchronous ||
        (sl->MajorFunction == IRP_MJ_READ ? sl->Parameters.Read.Length : sl->Parameters.Write.Length) == 0) {
        if (NT_SUCCESS(status))
            status = RdTransfer(ext, Irp);
        else
            ext->Stats.Rejected++;
        Irp->IoStatus.Status = status;
        ext->Stats.LastCompletionIrql = KeGetCurrentIrql();
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }

    /* Marked before it becomes visible to the DPC: once queued it may complete at any time. */
    IoMarkIrpPending(Irp);
    KeAcquireSpinLock(&ext->Lock, &old);
    if (ext->Current) {
        InsertTailList(&ext->Queue, &Irp->Tail.Overlay.ListEntry);
    } else {
        ext->Current = Irp;
        RdStartController(ext);
    }
    KeReleaseSpinLock(&ext->Lock, old);
    return STATUS_PENDING;
}
