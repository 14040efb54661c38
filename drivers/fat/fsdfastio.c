/* drivers/fat/fsdfastio.c - FAT's fast I/O: reads and writes of cached files straight through
 * the cache manager (the FsRtlCopyRead / FsRtlCopyWrite way) and the two common queries. */
#include "fsd.h"

/* The file object's FCB when DeviceObject is one of our volumes and the file is a plain file
 * the cache holds; NULL sends the caller to the IRP path. */
FORCEINLINE PFSD_FCB FatFsdpFastFcb(PFILE_OBJECT FileObject, PDEVICE_OBJECT DeviceObject, BOOLEAN NeedCache)
{
    PFSD_FCB fcb = FileObject ? FileObject->FsContext : NULL;
    if (!fcb || DeviceObject == FatControlDevice || FatFsdIsVolumeOpen(DeviceObject, FileObject) ||
        fcb->IsDirectory || fcb->Deleted)
        return NULL;
    if (NeedCache && (!FileObject->PrivateCacheMap || fcb->Header.IsFastIoPossible == FastIoIsNotPossible))
        return NULL;
    return fcb;
}

/* FAST_IO_CHECK_IF_POSSIBLE, PASSIVE_LEVEL. FAT has no byte-range locks or oplocks, so what
 * decides is the cache and the handle's access. */
static BOOLEAN FatFsdpFastIoCheckIfPossible(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                            BOOLEAN Wait, ULONG LockKey, BOOLEAN CheckForReadOperation,
                                            PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    UNREFERENCED_PARAMETER(FileOffset);
    UNREFERENCED_PARAMETER(Length);
    UNREFERENCED_PARAMETER(Wait);
    UNREFERENCED_PARAMETER(LockKey);
    IoStatus->Status = STATUS_SUCCESS;
    IoStatus->Information = 0;
    if (!FatFsdpFastFcb(FileObject, DeviceObject, TRUE))
        return FALSE;
    return CheckForReadOperation ? FileObject->ReadAccess : FileObject->WriteAccess;
}

/* FAST_IO_READ, PASSIVE_LEVEL, FsRtlCopyRead's shape. A read needs only the file's size and
 * whether it is deleted, each one aligned word that the volume lock's holders write whole, so
 * it reads them without the lock (the locked path, FatFsdCopy, drops the lock before its copy
 * too): a read racing a truncation or a delete sees the file as it was before or after. It
 * writes nothing of the FCB's, so the header stays the locked paths'. FALSE: not cached yet,
 * or (Wait FALSE) the data is not resident; the I/O manager then sends an IRP. */
static BOOLEAN FatFsdpFastIoRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                                 ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    PFSD_FCB fcb = FatFsdpFastFcb(FileObject, DeviceObject, TRUE);
    if (!fcb || (fcb->Header.IsFastIoPossible == FastIoIsQuestionable &&
                 !FatFsdpFastIoCheckIfPossible(FileObject, FileOffset, Length, Wait, LockKey, TRUE, IoStatus,
                                               DeviceObject)))
        return FALSE;
    ULONG64 size = FatQueryFileSize(fcb->File);
    LONGLONG offset = FatFsdCopyOffset(FileObject, FileOffset, size, FALSE);
    NTSTATUS status = STATUS_SUCCESS;
    if (offset < 0)
        status = STATUS_INVALID_PARAMETER;
    else if (__atomic_load_n(&fcb->Deleted, __ATOMIC_ACQUIRE))
        status = STATUS_FILE_DELETED;
    else if (Length && (ULONG64)offset >= size)
        status = STATUS_END_OF_FILE;
    if (!NT_SUCCESS(status) || !Length) {
        IoStatus->Status = status;
        IoStatus->Information = 0;
        return TRUE;
    }
    if ((ULONG64)offset + Length > size)
        Length = (ULONG)(size - (ULONG64)offset);
    LARGE_INTEGER at = { .QuadPart = offset };
    if (!CcCopyRead(FileObject, &at, Length, Wait, Buffer, IoStatus))
        return FALSE;
    __atomic_add_fetch(&((PFSD_VCB)DeviceObject->DeviceExtension)->CachedReads, 1, __ATOMIC_RELAXED);
    if (NT_SUCCESS(IoStatus->Status))
        FileObject->CurrentByteOffset.QuadPart = offset + (LONGLONG)IoStatus->Information;
    return TRUE;
}

/* FAST_IO_WRITE, PASSIVE_LEVEL. A write past the end grows the file first, only when Wait:
 * that and the size need the volume lock (FatFsdCopy). */
static BOOLEAN FatFsdpFastIoWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                                  ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    if (!FileObject->WriteAccess)
        return FALSE; /* the IRP path gives the proper answer */
    PFSD_FCB fcb = FatFsdpFastFcb(FileObject, DeviceObject, TRUE);
    if (!fcb || (fcb->Header.IsFastIoPossible == FastIoIsQuestionable &&
                 !FatFsdpFastIoCheckIfPossible(FileObject, FileOffset, Length, Wait, LockKey, FALSE, IoStatus,
                                               DeviceObject)))
        return FALSE;
    return FatFsdCopy(DeviceObject->DeviceExtension, FileObject, TRUE, FileOffset, Length, Wait, Buffer, IoStatus);
}

typedef NTSTATUS (*FSD_QUERY)(PFSD_FCB Fcb, PVOID Buffer);

static BOOLEAN FatFsdpFastQuery(PFILE_OBJECT FileObject, BOOLEAN Wait, PVOID Buffer, ULONG Size, FSD_QUERY Query,
                                PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    PFSD_FCB fcb = FileObject ? FileObject->FsContext : NULL;
    PFSD_VCB vcb = DeviceObject->DeviceExtension;
    if (!fcb || DeviceObject == FatControlDevice || FatFsdIsVolumeOpen(DeviceObject, FileObject))
        return FALSE;
    if (Wait)
        FatFsdLock(vcb);
    else if (!FatFsdTryLock(vcb))
        return FALSE;
    IoStatus->Status = fcb->Deleted ? STATUS_FILE_DELETED : Query(fcb, Buffer);
    IoStatus->Information = NT_SUCCESS(IoStatus->Status) ? Size : 0;
    FatFsdUnlock(vcb);
    return TRUE;
}

/* FAST_IO_QUERY_BASIC_INFO, PASSIVE_LEVEL. */
static BOOLEAN FatFsdpFastIoQueryBasicInfo(PFILE_OBJECT FileObject, BOOLEAN Wait, PFILE_BASIC_INFORMATION Buffer,
                                           PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    return FatFsdpFastQuery(FileObject, Wait, Buffer, sizeof(*Buffer), (FSD_QUERY)FatFsdpBasic, IoStatus,
                            DeviceObject);
}

/* FAST_IO_QUERY_STANDARD_INFO, PASSIVE_LEVEL. */
static BOOLEAN FatFsdpFastIoQueryStandardInfo(PFILE_OBJECT FileObject, BOOLEAN Wait,
                                              PFILE_STANDARD_INFORMATION Buffer, PIO_STATUS_BLOCK IoStatus,
                                              PDEVICE_OBJECT DeviceObject)
{
    return FatFsdpFastQuery(FileObject, Wait, Buffer, sizeof(*Buffer), (FSD_QUERY)FatFsdpStandard, IoStatus,
                            DeviceObject);
}

FAST_IO_DISPATCH FatFsdFastIoDispatch = {
    .SizeOfFastIoDispatch = sizeof(FAST_IO_DISPATCH),
    .FastIoCheckIfPossible = FatFsdpFastIoCheckIfPossible,
    .FastIoRead = FatFsdpFastIoRead,
    .FastIoWrite = FatFsdpFastIoWrite,
    .FastIoQueryBasicInfo = FatFsdpFastIoQueryBasicInfo,
    .FastIoQueryStandardInfo = FatFsdpFastIoQueryStandardInfo,
};
