/* drivers/fat/fsdrw.c - read, write and flush on open files. Offsets come from the request
 * or the file object's position; reading at or past the end is STATUS_END_OF_FILE. */
#include "fsd.h"

static LONGLONG FatFsdpOffset(PFILE_OBJECT Fo, LARGE_INTEGER Requested, PFSD_FCB Fcb, BOOLEAN Write)
{
    if (Requested.HighPart == -1 && Requested.LowPart == FILE_USE_FILE_POINTER_POSITION)
        return Fo->CurrentByteOffset.QuadPart;
    if (Write && Requested.HighPart == -1 && Requested.LowPart == FILE_WRITE_TO_END_OF_FILE) {
        FAT_FILE_INFO info;
        FatQueryFileInformation(Fcb->File, &info);
        return (LONGLONG)info.FileSize;
    }
    return Requested.QuadPart;
}

/* The request went down as associated IRPs: the volume lock now belongs to the transfer and is
 * released by its last disk completion; only the critical region is this thread's to leave. */
static NTSTATUS FatFsdpPended(void)
{
    KeLeaveCriticalRegion();
    return STATUS_PENDING;
}

static NTSTATUS FatFsdpReadWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp, BOOLEAN Write)
{
    PFSD_VCB vcb = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT fo = sl->FileObject;
    PFSD_FCB fcb = fo ? fo->FsContext : NULL;
    ULONG length = Write ? sl->Parameters.Write.Length : sl->Parameters.Read.Length, done = 0;
    PVOID buffer = FatFsdUserBuffer(Irp);
    NTSTATUS status;
    LONGLONG offset;

    if (!fcb)
        return FatFsdComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    if (fcb->IsDirectory)
        return FatFsdComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    if (length && !buffer)
        return FatFsdComplete(Irp, STATUS_INVALID_USER_BUFFER, 0);
    FatFsdLock(vcb);
    offset = FatFsdpOffset(fo, Write ? sl->Parameters.Write.ByteOffset : sl->Parameters.Read.ByteOffset, fcb, Write);
    if (offset < 0)
        status = STATUS_INVALID_PARAMETER;
    else if (fcb->Deleted)
        status = STATUS_FILE_DELETED;
    else if (Write) {
        FatFsdInvalidateCache(fcb);
        if (FatFsdWriteAsync(vcb, Irp, fcb, offset, length))
            return FatFsdpPended();
        status = FatWriteFile(fcb->File, (ULONG64)offset, buffer, length, &done);
    } else if (!(Irp->Flags & IRP_NOCACHE) && FatFsdReadCached(fcb, offset, buffer, length, &done))
        status = STATUS_SUCCESS;
    else if (FatFsdReadAsync(vcb, Irp, fcb, offset, length))
        return FatFsdpPended();
    else
        status = FatReadFile(fcb->File, (ULONG64)offset, buffer, length, &done);
    if (NT_SUCCESS(status))
        fo->CurrentByteOffset.QuadPart = offset + done;
    FatFsdUnlock(vcb);
    return FatFsdComplete(Irp, status, done);
}

/* IRQL == PASSIVE_LEVEL. Reads are normally asynchronous (fsdasync.c): the IRP completes from
 * the disk's DPC. */
NTSTATUS FatFsdRead(PDEVICE_OBJECT DeviceObject, PIRP Irp) { return FatFsdpReadWrite(DeviceObject, Irp, FALSE); }

/* IRQL == PASSIVE_LEVEL. Extends the file as needed; a gap reads back as zeros. Data goes to the
 * disk asynchronously when no sector has to be read first (fsdasync.c). */
NTSTATUS FatFsdWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp) { return FatFsdpReadWrite(DeviceObject, Irp, TRUE); }

/* IRQL == PASSIVE_LEVEL. Data and directory entries are written through; this writes the
 * FAT copies (and FAT32's FSInfo) so the disk is consistent for fsck.fat. */
NTSTATUS FatFsdFlush(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFSD_VCB vcb = DeviceObject->DeviceExtension;
    NTSTATUS status;
    FatFsdLock(vcb);
    status = vcb->Volume ? FatFlushVolume(vcb->Volume) : STATUS_VOLUME_DISMOUNTED;
    FatFsdUnlock(vcb);
    return FatFsdComplete(Irp, status, 0);
}
