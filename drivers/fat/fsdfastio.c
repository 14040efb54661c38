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

FORCEINLINE BOOLEAN FatFsdpFastCopy(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                               ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject,
                               BOOLEAN Write)
{
    PFSD_FCB fcb = FatFsdpFastFcb(FileObject, DeviceObject, TRUE);
    if (!fcb)
        return FALSE;
    if (fcb->Header.IsFastIoPossible == FastIoIsQuestionable &&
        !FatFsdpFastIoCheckIfPossible(FileObject, FileOffset, Length, Wait, LockKey, !Write, IoStatus, DeviceObject))
        return FALSE;
    if (!Write)
        return FatFsdCachedRead(DeviceObject->DeviceExtension, FileObject, fcb, FileOffset, Length, Wait, Buffer, IoStatus);
    return FatFsdCopy(DeviceObject->DeviceExtension, FileObject, Write, FileOffset, Length, Wait, Buffer, IoStatus);
}

/* FAST_IO_READ, PASSIVE_LEVEL. FALSE: not cached yet, or (Wait FALSE) the data or the lock is
 * not to be had without waiting; the I/O manager then sends an IRP. */
static BOOLEAN FatFsdpFastIoRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                                 ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    return FatFsdpFastCopy(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, DeviceObject, FALSE);
}

/* FAST_IO_WRITE, PASSIVE_LEVEL. A write past the end grows the file first, only when Wait. */
static BOOLEAN FatFsdpFastIoWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                                  ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    if (!FileObject->WriteAccess)
        return FALSE; /* the IRP path gives the proper answer */
    return FatFsdpFastCopy(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, DeviceObject, TRUE);
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
