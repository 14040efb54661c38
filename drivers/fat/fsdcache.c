/* drivers/fat/fsdcache.c - FAT over the cache manager: cached reads and writes (IRP or fast
 * I/O) copy through Cc, which fills and cleans its views with paging I/O sent back to us. */
#include "fsd.h"

/* ACQUIRE_FOR_LAZY_WRITE / ACQUIRE_FOR_READ_AHEAD. The paging request that follows takes the
 * volume lock itself, so there is nothing to hold here; the count shows the lazy writer came. */
static BOOLEAN FatFsdpAcquireForLazyWrite(PVOID Context, BOOLEAN Wait)
{
    PFSD_VCB vcb = Context;
    UNREFERENCED_PARAMETER(Wait);
    __atomic_add_fetch(&vcb->LazyWriteAcquires, 1, __ATOMIC_RELAXED);
    return TRUE;
}
static VOID FatFsdpRelease(PVOID Context) { UNREFERENCED_PARAMETER(Context); }
static BOOLEAN FatFsdpAcquireForReadAhead(PVOID Context, BOOLEAN Wait)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Wait);
    return TRUE;
}
static CACHE_MANAGER_CALLBACKS FatFsdpCcCallbacks = {
    FatFsdpAcquireForLazyWrite, FatFsdpRelease, FatFsdpAcquireForReadAhead, FatFsdpRelease,
};

/* IRQL == PASSIVE_LEVEL, volume lock held. The header follows the engine, which owns the size;
 * everything on the disk below the file size is valid data (the engine zeroes what it adds). */
FORCEINLINE VOID FatFsdFileSizes(PFSD_FCB Fcb, PCC_FILE_SIZES Sizes)
{
    ULONG64 size, allocation;
    FatQueryFileSizes(Fcb->File, &size, &allocation);
    Fcb->Header.AllocationSize.QuadPart = (LONGLONG)allocation;
    Fcb->Header.FileSize.QuadPart = (LONGLONG)size;
    Fcb->Header.ValidDataLength.QuadPart = (LONGLONG)size;
    Sizes->AllocationSize = Fcb->Header.AllocationSize;
    Sizes->FileSize = Fcb->Header.FileSize;
    Sizes->ValidDataLength = Fcb->Header.ValidDataLength;
}

/* IRQL == PASSIVE_LEVEL, volume lock held. The file's size changed under the lock; the
 * cache manager hears of it once the lock is dropped (FatFsdUpdateCacheSizes). */
VOID FatFsdInvalidateCache(PFSD_FCB Fcb) { Fcb->SizesChanged = TRUE; }

/* IRQL == PASSIVE_LEVEL, volume lock not held. */
VOID FatFsdUpdateCacheSizes(PFSD_VCB Vcb, PFILE_OBJECT Fo, PFSD_FCB Fcb)
{
    CC_FILE_SIZES sizes;
    if (!Fcb->SizesChanged || !Fcb->Sop.SharedCacheMap || !Fo->SectionObjectPointer)
        return;
    FatFsdLock(Vcb);
    FatFsdFileSizes(Fcb, &sizes);
    Fcb->SizesChanged = FALSE;
    FatFsdUnlock(Vcb);
    CcSetFileSizes(Fo, &sizes);
}

/* IRQL == PASSIVE_LEVEL, volume lock not held. What FastFat does before a non-cached transfer
 * on a file that is also cached: dirty cached data goes to the disk first, and for a write the
 * cached copy of the range is purged, so both kinds of handle see the same bytes. */
VOID FatFsdCoherentNonCached(PFSD_FCB Fcb, PLARGE_INTEGER Offset, ULONG Length, BOOLEAN Write)
{
    IO_STATUS_BLOCK iosb;
    if (!Fcb->Sop.SharedCacheMap)
        return;
    CcFlushCache(&Fcb->Sop, Offset, Length, &iosb);
    if (Write)
        CcPurgeCacheSection(&Fcb->Sop, Offset, Length, FALSE);
}

/* IRQL == PASSIVE_LEVEL. A cached read or write, for the IRP path (Wait TRUE) and fast I/O.
 * Under the volume lock: checks, the size, and for a write past the end the file's growth
 * (clusters now, the directory entry at flush or close, as FastFat extends before CcCopyWrite
 * and updates the dirent lazily); then, without the
 * lock, the copy. FALSE (Wait FALSE only) means nothing was done: take the IRP path. */
BOOLEAN FatFsdCopy(PFSD_VCB Vcb, PFILE_OBJECT Fo, BOOLEAN Write, PLARGE_INTEGER Offset, ULONG Length, BOOLEAN Wait,
                   PVOID Buffer, PIO_STATUS_BLOCK Iosb)
{
    PFSD_FCB fcb = Fo->FsContext;
    CC_FILE_SIZES sizes;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG64 oldSize;
    LONGLONG offset;
    BOOLEAN grew = FALSE;

    Iosb->Information = 0;
    if (Wait)
        FatFsdLock(Vcb);
    else if (!FatFsdTryLock(Vcb))
        return FALSE;
    FatFsdFileSizes(fcb, &sizes);
    oldSize = (ULONG64)sizes.FileSize.QuadPart;
    offset = FatFsdCopyOffset(Fo, Offset, oldSize, Write);
    if (offset < 0)
        status = STATUS_INVALID_PARAMETER;
    else if (fcb->Deleted)
        status = STATUS_FILE_DELETED;
    else if (!Length)
        status = STATUS_SUCCESS;
    else if (!Write && (ULONG64)offset >= oldSize)
        status = STATUS_END_OF_FILE;
    else if (Write && (ULONG64)offset + Length > oldSize) {
        if (!Wait) { /* growing the file writes the disk: not without waiting */
            FatFsdUnlock(Vcb);
            return FALSE;
        }
        status = FatGrowFile(fcb->File, (ULONG64)offset, Length); /* entry written at flush/close */
        if (NT_SUCCESS(status)) {
            FatFsdFileSizes(fcb, &sizes);
            fcb->SizesChanged = FALSE;
            sizes.ValidDataLength.QuadPart = (LONGLONG)oldSize; /* the new range is not on disk yet */
            grew = TRUE;
        }
    }
    FatFsdUnlock(Vcb);
    if (!NT_SUCCESS(status) || !Length) {
        Iosb->Status = status;
        return TRUE;
    }
    if (!Write && (ULONG64)offset + Length > oldSize)
        Length = (ULONG)(oldSize - (ULONG64)offset);
    if (!Fo->PrivateCacheMap)
        CcInitializeCacheMap(Fo, &sizes, FALSE, &FatFsdpCcCallbacks, Vcb);
    else if (grew)
        CcSetFileSizes(Fo, &sizes);
    if (!Fo->PrivateCacheMap) {
        Iosb->Status = STATUS_INSUFFICIENT_RESOURCES;
        return TRUE;
    }
    LARGE_INTEGER at;
    at.QuadPart = offset;
    if (Write) {
        if (!CcCopyWrite(Fo, &at, Length, Wait, Buffer)) {
            if (!Wait)
                return FALSE;
            Iosb->Status = STATUS_INSUFFICIENT_RESOURCES;
            return TRUE;
        }
        Iosb->Status = STATUS_SUCCESS;
        Iosb->Information = Length;
        if (grew) { /* the cache holds the data now: all of it is valid */
            sizes.ValidDataLength = sizes.FileSize;
            CcSetFileSizes(Fo, &sizes);
        }
        __atomic_add_fetch(&Vcb->CachedWrites, 1, __ATOMIC_RELAXED);
    } else {
        if (!CcCopyRead(Fo, &at, Length, Wait, Buffer, Iosb))
            return FALSE;
        __atomic_add_fetch(&Vcb->CachedReads, 1, __ATOMIC_RELAXED);
    }
    if (NT_SUCCESS(Iosb->Status))
        Fo->CurrentByteOffset.QuadPart = offset + (LONGLONG)Iosb->Information;
    return TRUE;
}

