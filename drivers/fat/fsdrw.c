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
    PLARGE_INTEGER requested = Write ? &sl->Parameters.Write.ByteOffset : &sl->Parameters.Read.ByteOffset;
    BOOLEAN paging = (Irp->Flags & IRP_PAGING_IO) != 0;
    PVOID buffer = FatFsdUserBuffer(Irp);
    NTSTATUS status;
    LONGLONG offset;

    if (!fcb)
        return FatFsdComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    if (fcb->IsDirectory)
        return FatFsdComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    if (length && !buffer)
        return FatFsdComplete(Irp, STATUS_INVALID_USER_BUFFER, 0);
    if (!(Irp->Flags & IRP_NOCACHE)) { /* cached: through the cache manager, at PASSIVE_LEVEL */
        IO_STATUS_BLOCK iosb;
        FatFsdCopy(vcb, fo, Write, requested, length, TRUE, buffer, &iosb);
        return FatFsdComplete(Irp, iosb.Status, iosb.Information);
    }
    if (!paging) { /* a non-cached handle on a file that may also be cached */
        BOOLEAN known = requested->HighPart != -1;
        FatFsdCoherentNonCached(fcb, known ? requested : NULL, known ? length : 0, Write);
    }
    FatFsdLock(vcb);
    offset = FatFsdpOffset(fo, *requested, fcb, Write);
    if (paging && offset >= 0) { /* the cache's pages end where the file does: clip */
        FAT_FILE_INFO info;
        FatQueryFileInformation(fcb->File, &info);
        length = (ULONG64)offset >= info.FileSize ? 0
                 : (ULONG64)offset + length > info.FileSize ? (ULONG)(info.FileSize - (ULONG64)offset) : length;
        Write ? vcb->PagingWrites++ : vcb->PagingReads++;
    }
    if (offset < 0)
        status = STATUS_INVALID_PARAMETER;
    else if (fcb->Deleted)
        status = STATUS_FILE_DELETED;
    else if (paging && !length)
        status = Write ? STATUS_SUCCESS : STATUS_END_OF_FILE;
    else if (Write) {
        FAT_FILE_INFO before;
        FatQueryFileInformation(fcb->File, &before);
        if (FatFsdWriteAsync(vcb, Irp, fcb, offset, length, paging)) {
            /* the transfer owns the lock now; a cache of this file learns the new end */
            if (!paging && (ULONG64)offset + length > before.FileSize && fcb->Sop.SharedCacheMap) {
                CC_FILE_SIZES grown;
                grown.AllocationSize.QuadPart = grown.FileSize.QuadPart = grown.ValidDataLength.QuadPart =
                    offset + length;
                CcSetFileSizes(fo, &grown);
            }
            return FatFsdpPended();
        }
        status = FatWriteFile(fcb->File, (ULONG64)offset, buffer, length, &done);
        FatFsdInvalidateCache(fcb);
    } else if (FatFsdReadAsync(vcb, Irp, fcb, offset, length))
        return FatFsdpPended();
    else
        status = FatReadFile(fcb->File, (ULONG64)offset, buffer, length, &done);
    if (NT_SUCCESS(status) && !paging)
        fo->CurrentByteOffset.QuadPart = offset + done;
    FatFsdUnlock(vcb);
    if (Write && !paging)
        FatFsdUpdateCacheSizes(vcb, fo, fcb);
    return FatFsdComplete(Irp, status, done);
}

/* IRQL == PASSIVE_LEVEL (APC_LEVEL for paging I/O). Cached reads copy from the cache manager;
 * non-cached and paging reads are asynchronous (fsdasync.c): the IRP completes from the disk's DPC. */
NTSTATUS FatFsdRead(PDEVICE_OBJECT DeviceObject, PIRP Irp) { return FatFsdpReadWrite(DeviceObject, Irp, FALSE); }

/* IRQL == PASSIVE_LEVEL. Extends the file as needed; a gap reads back as zeros. Data goes to the
 * disk asynchronously when no sector has to be read first (fsdasync.c). */
NTSTATUS FatFsdWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp) { return FatFsdpReadWrite(DeviceObject, Irp, TRUE); }

/* IRQL == PASSIVE_LEVEL. The file's cached data goes to the disk (CcFlushCache, paging
 * writes), then the FAT copies (and FAT32's FSInfo), so the disk is consistent for fsck.fat. */
NTSTATUS FatFsdFlush(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFSD_VCB vcb = DeviceObject->DeviceExtension;
    PFILE_OBJECT fo = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    PFSD_FCB fcb = fo && !FatFsdIsVolumeOpen(DeviceObject, fo) ? fo->FsContext : NULL;
    IO_STATUS_BLOCK iosb;
    NTSTATUS status;
    iosb.Status = STATUS_SUCCESS;
    if (fcb && fcb->Sop.SharedCacheMap)
        CcFlushCache(&fcb->Sop, NULL, 0, &iosb);
    FatFsdLock(vcb);
    status = !vcb->Volume ? STATUS_VOLUME_DISMOUNTED : fcb ? FatFlushFileEntry(fcb->File) : STATUS_SUCCESS;
    if (NT_SUCCESS(status))
        status = FatFlushVolume(vcb->Volume);
    FatFsdUnlock(vcb);
    return FatFsdComplete(Irp, NT_SUCCESS(iosb.Status) ? status : iosb.Status, 0);
}
