/* drivers/fat/fsdvolume.c - the volume itself as a file: opens with an empty name (the handle
 * FSCTL_DISMOUNT_VOLUME is sent on), their close, and deleting the volume after a dismount. */
#include "fsd.h"

/* IRQL == PASSIVE_LEVEL, VCB lock held by the caller. Only opening what exists makes sense
 * for a volume (fastfat answers anything else with STATUS_ACCESS_DENIED). */
NTSTATUS FatFsdOpenVolume(PFSD_VCB Vcb, PIRP Irp)
{
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT fo = sl->FileObject;
    ULONG disposition = sl->Parameters.Create.Options >> 24;

    if (Vcb->Dismounted)
        return STATUS_VOLUME_DISMOUNTED;
    if (sl->Parameters.Create.Options & FILE_DIRECTORY_FILE)
        return STATUS_NOT_A_DIRECTORY;
    if (disposition != FILE_OPEN && disposition != FILE_OPEN_IF)
        return STATUS_ACCESS_DENIED;
    fo->FsContext = Vcb;
    fo->FsContext2 = NULL;
    fo->Vpb = Vcb->Vpb;
    Vcb->VolumeOpens++;
    return STATUS_SUCCESS;
}

/* IRQL == PASSIVE_LEVEL, VCB lock held. After a dismount the volume goes with its last open
 * (fastfat's FatCheckForDismount); no file can be open by then, dismount refused those. */
BOOLEAN FatFsdCanDeleteVolume(PFSD_VCB Vcb)
{
    return Vcb->Dismounted && Vcb->VolumeOpens == 0 && IsListEmpty(&Vcb->Fcbs);
}

/* IRQL == PASSIVE_LEVEL. Completes the close first: deleting the device may free it (and the
 * filter device above it) before this routine returns, so nothing of the VCB is touched
 * after FatFsdDeleteVolume. */
NTSTATUS FatFsdCloseVolume(PFSD_VCB Vcb, PIRP Irp)
{
    PFILE_OBJECT fo = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    BOOLEAN last;
    FatFsdLock(Vcb);
    Vcb->VolumeOpens--;
    fo->FsContext = NULL;
    last = FatFsdCanDeleteVolume(Vcb);
    FatFsdUnlock(Vcb);
    FatFsdComplete(Irp, STATUS_SUCCESS, 0);
    if (last)
        FatFsdDeleteVolume(Vcb);
    return STATUS_SUCCESS;
}

/* IRQL == PASSIVE_LEVEL. A flush on the volume handle writes the FAT out. */
NTSTATUS FatFsdFlushVolume(PFSD_VCB Vcb, PIRP Irp)
{
    NTSTATUS status = STATUS_SUCCESS;
    FatFsdLock(Vcb);
    for (PLIST_ENTRY e = Vcb->Fcbs.Flink; e != &Vcb->Fcbs && Vcb->Volume; e = e->Flink) {
        NTSTATUS st = FatFlushFileEntry(CONTAINING_RECORD(e, FSD_FCB, Link)->File);
        if (!NT_SUCCESS(st))
            status = st;
    }
    if (NT_SUCCESS(status))
        status = Vcb->Volume ? FatFlushVolume(Vcb->Volume) : STATUS_VOLUME_DISMOUNTED;
    FatFsdUnlock(Vcb);
    return FatFsdComplete(Irp, status, 0);
}

/* IRQL == PASSIVE_LEVEL. The engine volume went at dismount; what is left is the spare VPB
 * (if it was never handed over) and the device, whose extension is the VCB. IoDeleteDevice
 * tells a filter attached above (FastIoDetachDevice) so it detaches and deletes its own. */
VOID FatFsdDeleteVolume(PFSD_VCB Vcb)
{
    PDEVICE_OBJECT vdo = Vcb->VolumeDevice;
    if (Vcb->SpareVpb)
        ExFreePoolWithTag(Vcb->SpareVpb, IO_VPB_TAG);
    Vcb->SpareVpb = NULL;
    DbgPrint("FAT: volume device %p deleted\n", (PVOID)vdo);
    IoDeleteDevice(vdo);
}
