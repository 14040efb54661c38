/* drivers/fat/fsddisk.c - how the file system reaches its disk: its own IRPs. Reads are
 * built with IoBuildAsynchronousFsdRequest and freed in their completion routine (the seeds'
 * case 3); writes are synchronous IRPs whose completion routine signals an event (case 1). */
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
static NTSTATUS FatFsdpReadDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
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

/* IRQL == PASSIVE_LEVEL. FAT_SECTOR_IO for the engine; Buffer is nonpaged engine memory. */
NTSTATUS FatFsdDiskIo(PVOID Context, BOOLEAN Write, ULONG64 ByteOffset, PVOID Buffer, ULONG Length)
{
    PFSD_VCB vcb = Context;
    LARGE_INTEGER offset;
    PIRP irp;
    NTSTATUS status;

    offset.QuadPart = (LONGLONG)ByteOffset;
    if (!Write) {
        FSD_DISK_WAIT wait;
        KeInitializeEvent(&wait.Event, NotificationEvent, FALSE);
        irp = IoBuildAsynchronousFsdRequest(IRP_MJ_READ, vcb->TargetDevice, Buffer, Length, &offset, NULL);
        if (!irp)
            return STATUS_INSUFFICIENT_RESOURCES;
        IoSetCompletionRoutine(irp, FatFsdpReadDone, &wait, TRUE, TRUE, TRUE);
        vcb->ReadIrps++;
        IoCallDriver(vcb->TargetDevice, irp);
        KeWaitForSingleObject(&wait.Event, Executive, KernelMode, FALSE, NULL);
        return wait.Iosb.Status;
    }

    KEVENT done, unused;
    IO_STATUS_BLOCK iosb;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    KeInitializeEvent(&unused, NotificationEvent, FALSE);
    irp = IoBuildSynchronousFsdRequest(IRP_MJ_WRITE, vcb->TargetDevice, Buffer, Length, &offset, &unused, &iosb);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    IoSetCompletionRoutine(irp, FatFsdpWriteDone, &done, TRUE, TRUE, TRUE);
    vcb->WriteIrps++;
    if (IoCallDriver(vcb->TargetDevice, irp) == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    status = irp->IoStatus.Status;
    IoCompleteRequest(irp, IO_NO_INCREMENT); /* resume: the I/O manager finishes and frees it */
    return status;
}
