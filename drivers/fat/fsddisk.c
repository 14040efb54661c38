/* drivers/fat/fsddisk.c - how the file system reaches its disk: its own IRPs. Reads, and writes at
 * APC_LEVEL, are the seeds' case 3 (freed by their completion routine); other writes are case 1. */
#include "fsd.h"

/* IRQL each of our disk completion routines ran at: PASSIVE, APC, DISPATCH. Tests read it. */
volatile ULONG64 FatFsdDiskCompletionIrql[3];

/* IRQL <= DISPATCH_LEVEL. Every completion routine of ours on a disk IRP calls this. */
VOID FatFsdNoteDiskCompletion(void)
{
    KIRQL irql = KeGetCurrentIrql();
    __atomic_add_fetch(&FatFsdDiskCompletionIrql[irql >= DISPATCH_LEVEL ? 2 : irql], 1, __ATOMIC_RELAXED);
}

typedef struct _FSD_DISK_WAIT {
    KEVENT Event;
    IO_STATUS_BLOCK Iosb;
} FSD_DISK_WAIT, *PFSD_DISK_WAIT;

/* IO_COMPLETION_ROUTINE, IRQL <= DISPATCH_LEVEL. DeviceObject is NULL here: the IRP was
 * built with exactly the disk stack's locations, none for us. We built it, so we free it,
 * and STATUS_MORE_PROCESSING_REQUIRED tells the I/O manager not to touch it again. */
static NTSTATUS FatFsdpOwnIrpDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PFSD_DISK_WAIT wait = Context;
    UNREFERENCED_PARAMETER(DeviceObject);
    FatFsdNoteDiskCompletion();
    wait->Iosb = Irp->IoStatus;
    if (Irp->MdlAddress) { /* the builder locked the buffer's pages: unlock before freeing */
        if (Irp->MdlAddress->MdlFlags & MDL_PAGES_LOCKED)
            MmUnlockPages(Irp->MdlAddress);
        IoFreeMdl(Irp->MdlAddress);
        Irp->MdlAddress = NULL;
    }
    IoFreeIrp(Irp);
    KeSetEvent(&wait->Event, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* IO_COMPLETION_ROUTINE. Signals the waiting dispatch path, which finishes the IRP. */
static NTSTATUS FatFsdpWriteDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    FatFsdNoteDiskCompletion();
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Case 3: an IRP of our own, freed by its completion routine; nothing of it outlives the wait. */
static NTSTATUS FatFsdpAsyncIo(PFSD_VCB Vcb, UCHAR Major, PVOID Buffer, ULONG Length, PLARGE_INTEGER Offset)
{
    FSD_DISK_WAIT wait;
    PIRP irp;
    KeInitializeEvent(&wait.Event, NotificationEvent, FALSE);
    irp = IoBuildAsynchronousFsdRequest(Major, Vcb->TargetDevice, Buffer, Length, Offset, NULL);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    IoSetCompletionRoutine(irp, FatFsdpOwnIrpDone, &wait, TRUE, TRUE, TRUE);
    Major == IRP_MJ_READ ? Vcb->ReadIrps++ : Vcb->WriteIrps++;
    IoCallDriver(Vcb->TargetDevice, irp);
    KeWaitForSingleObject(&wait.Event, Executive, KernelMode, FALSE, NULL);
    return wait.Iosb.Status;
}

/* IRQL <= APC_LEVEL (APC_LEVEL under paging I/O). FAT_SECTOR_IO for the engine; Buffer is
 * nonpaged engine memory. Writes at PASSIVE_LEVEL are case 1: a synchronous IRP whose
 * completion routine stops the walk, resumed here with IoCompleteRequest. A synchronous IRP
 * that was pended finishes with an APC to this thread that writes its IOSB and event, both in
 * this frame, so this routine waits for that too (a campaign finding: returning first let the
 * APC signal a dead frame's event later, 0xA in KiWaitTestEx). At APC_LEVEL that APC could not
 * run before the frame goes, so there the write is case 3, like a read. */
NTSTATUS FatFsdDiskIo(PVOID Context, BOOLEAN Write, ULONG64 ByteOffset, PVOID Buffer, ULONG Length)
{
    PFSD_VCB vcb = Context;
    LARGE_INTEGER offset;
    PIRP irp;
    NTSTATUS status;

    offset.QuadPart = (LONGLONG)ByteOffset;
    if (!Write || KeGetCurrentIrql() != PASSIVE_LEVEL)
        return FatFsdpAsyncIo(vcb, Write ? IRP_MJ_WRITE : IRP_MJ_READ, Buffer, Length, &offset);

    KEVENT done, final;
    IO_STATUS_BLOCK iosb;
    BOOLEAN pended;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    KeInitializeEvent(&final, NotificationEvent, FALSE);
    irp = IoBuildSynchronousFsdRequest(IRP_MJ_WRITE, vcb->TargetDevice, Buffer, Length, &offset, &final, &iosb);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    IoSetCompletionRoutine(irp, FatFsdpWriteDone, &done, TRUE, TRUE, TRUE);
    vcb->WriteIrps++;
    if (IoCallDriver(vcb->TargetDevice, irp) == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    status = irp->IoStatus.Status;
    pended = irp->PendingReturned;
    IoCompleteRequest(irp, IO_NO_INCREMENT); /* resume: the I/O manager finishes and frees it */
    if (pended) /* its final completion is an APC to this thread: iosb and final are ours till then */
        KeWaitForSingleObject(&final, Executive, KernelMode, FALSE, NULL);
    return status;
}
