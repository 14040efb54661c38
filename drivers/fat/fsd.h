/* drivers/fat/fsd.h - the FAT file-system driver's objects: the volume control block (the
 * volume device's extension), shared file control blocks and per-open context blocks. */
#pragma once
#include <ntifs.h>
#include "fatengine.h"

#define FSD_TAG 'dsFF'

/* One per open file: all FILE_OBJECTs for the same path share it (the engine requires at
 * most one engine FCB per on-disk file). */
typedef struct _FSD_FCB {
    FSRTL_COMMON_FCB_HEADER Header; /* first, as the cache manager and fast I/O expect */
    SECTION_OBJECT_POINTERS Sop;    /* every FILE_OBJECT of the file points here */
    LIST_ENTRY Link;
    PFAT_FCB File;          /* the engine's */
    UNICODE_STRING Path;    /* pool copy, volume-relative, e.g. \DOCS\A.TXT */
    ULONG OpenCount;        /* FILE_OBJECTs not yet closed */
    ULONG HandleCount;      /* FILE_OBJECTs not yet cleaned up */
    BOOLEAN SizesChanged;   /* the cache manager has not been told the new sizes yet */
    BOOLEAN DeletePending;
    BOOLEAN Deleted;
    BOOLEAN IsDirectory;
} FSD_FCB, *PFSD_FCB;

/* One per FILE_OBJECT (FsContext2). */
typedef struct _FSD_CCB {
    ULONG DirCursor;        /* directory enumeration position */
    BOOLEAN DeleteOnClose;
    BOOLEAN ScanStarted;
    UNICODE_STRING Pattern; /* the first query's file-name filter, pool copy */
} FSD_CCB, *PFSD_CCB;

/* The volume device's extension. */
typedef struct _FSD_VCB {
    PDEVICE_OBJECT VolumeDevice;
    PDEVICE_OBJECT TargetDevice; /* top of the storage stack we were mounted on */
    PVPB Vpb;
    PFAT_VOLUME Volume;
    KEVENT Lock;                 /* the engine is not reentrant: waiters sleep here (a FAST_MUTEX's shape) */
    volatile LONG LockCount;     /* 1 free, 0 held, below 0 held with waiters: no wait when uncontended */
    LIST_ENTRY Fcbs;
    ULONG SectorSize;            /* the volume's, learned on the first asynchronous read */
    ULONG AsyncReads, AsyncWrites; /* user requests completed from the disk's completion */
    ULONG ReadIrps, WriteIrps;   /* our own IRPs to the disk, by pattern */
    ULONG PagingReads, PagingWrites; /* IRP_PAGING_IO requests from the cache manager */
    ULONG CachedReads, CachedWrites; /* requests served through the cache (IRP or fast I/O) */
    ULONG LazyWriteAcquires;     /* the lazy writer asked for this volume's files */
    ULONG VolumeOpens;           /* FILE_OBJECTs that opened the volume itself (empty name) */
    BOOLEAN Dismounted;          /* FSCTL_DISMOUNT_VOLUME done: the device goes with its last open */
    PVPB SpareVpb;               /* given to the disk at dismount, so it can mount again */
} FSD_VCB, *PFSD_VCB;

extern PDEVICE_OBJECT FatControlDevice;
extern volatile ULONG64 FatFsdDiskCompletionIrql[3];

VOID FatFsdNoteDiskCompletion(void);
/* The cache (fsdcache.c). Cc is never called with the volume lock held: paging I/O takes it. */
BOOLEAN FatFsdCopy(PFSD_VCB Vcb, PFILE_OBJECT Fo, BOOLEAN Write, PLARGE_INTEGER Offset, ULONG Length, BOOLEAN Wait,
                   PVOID Buffer, PIO_STATUS_BLOCK Iosb);
VOID FatFsdInvalidateCache(PFSD_FCB Fcb);            /* volume lock held: the size changed */
VOID FatFsdUpdateCacheSizes(PFSD_VCB Vcb, PFILE_OBJECT Fo, PFSD_FCB Fcb); /* lock not held */
VOID FatFsdCoherentNonCached(PFSD_FCB Fcb, PLARGE_INTEGER Offset, ULONG Length, BOOLEAN Write);
BOOLEAN FatFsdTryLock(PFSD_VCB Vcb);
extern FAST_IO_DISPATCH FatFsdFastIoDispatch;
NTSTATUS FatFsdpBasic(PFSD_FCB Fcb, PFILE_BASIC_INFORMATION B);          /* volume lock held */
NTSTATUS FatFsdpStandard(PFSD_FCB Fcb, PFILE_STANDARD_INFORMATION S);    /* volume lock held */
BOOLEAN FatFsdWriteAsync(PFSD_VCB Vcb, PIRP Irp, PFSD_FCB Fcb, LONGLONG Offset, ULONG Length, BOOLEAN Paging);
BOOLEAN FatFsdReadAsync(PFSD_VCB Vcb, PIRP Irp, PFSD_FCB Fcb, LONGLONG Offset, ULONG Length);
NTSTATUS FatFsdDiskIo(PVOID Context, BOOLEAN Write, ULONG64 ByteOffset, PVOID Buffer, ULONG Length);
NTSTATUS FatFsdComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information);
PVOID FatFsdUserBuffer(PIRP Irp);
LONGLONG FatFsdDosTimeToNt(USHORT Date, USHORT Time);
VOID FatFsdStampTime(PVOID Context, PUSHORT DosDate, PUSHORT DosTime, PUCHAR TenthsOf10Ms); /* a FAT_TIME_SOURCE */

DRIVER_DISPATCH FatFsdCreate;
DRIVER_DISPATCH FatFsdCleanup;
DRIVER_DISPATCH FatFsdClose;
DRIVER_DISPATCH FatFsdRead;
DRIVER_DISPATCH FatFsdWrite;
DRIVER_DISPATCH FatFsdFlush;
DRIVER_DISPATCH FatFsdQueryInformation;
DRIVER_DISPATCH FatFsdSetInformation;
DRIVER_DISPATCH FatFsdQueryVolumeInformation;
DRIVER_DISPATCH FatFsdDirectoryControl;
DRIVER_DISPATCH FatFsdFileSystemControl;

/* Volume opens (a create with an empty file name) have the VCB as FsContext, as in fastfat. */
FORCEINLINE BOOLEAN FatFsdIsVolumeOpen(PDEVICE_OBJECT VolumeDevice, PFILE_OBJECT FileObject)
{
    return FileObject && FileObject->FsContext == VolumeDevice->DeviceExtension;
}
NTSTATUS FatFsdOpenVolume(PFSD_VCB Vcb, PIRP Irp);
NTSTATUS FatFsdCloseVolume(PFSD_VCB Vcb, PIRP Irp);
NTSTATUS FatFsdFlushVolume(PFSD_VCB Vcb, PIRP Irp);
BOOLEAN FatFsdCanDeleteVolume(PFSD_VCB Vcb);
VOID FatFsdDeleteVolume(PFSD_VCB Vcb);

/* The volume lock. IRQL == PASSIVE_LEVEL. Critical region: no normal kernel APC may suspend a
 * lock holder. As a FAST_MUTEX does: one interlocked decrement when the lock is free, the event
 * only when someone holds it. Inline: every warm cached read takes it. */
/* Where a cached read or write starts: the file pointer, the end of the file (a write's
 * FILE_WRITE_TO_END_OF_FILE), or the offset given. */
FORCEINLINE LONGLONG FatFsdCopyOffset(PFILE_OBJECT Fo, PLARGE_INTEGER Requested, ULONG64 Size, BOOLEAN Write)
{
    if (!Requested || (Requested->HighPart == -1 && Requested->LowPart == FILE_USE_FILE_POINTER_POSITION))
        return Fo->CurrentByteOffset.QuadPart;
    if (Write && Requested->HighPart == -1 && Requested->LowPart == FILE_WRITE_TO_END_OF_FILE)
        return (LONGLONG)Size;
    return Requested->QuadPart;
}

FORCEINLINE VOID FatFsdLock(PFSD_VCB Vcb)
{
    KeEnterCriticalRegion();
    if (InterlockedDecrement(&Vcb->LockCount) != 0)
        KeWaitForSingleObject(&Vcb->Lock, Executive, KernelMode, FALSE, NULL);
}

/* IRQL <= DISPATCH_LEVEL, any thread (it ends a transfer's hold): a waiter, if there is one,
 * gets the lock. */
FORCEINLINE VOID FatFsdReleaseLockAnyThread(PFSD_VCB Vcb)
{
    if (InterlockedIncrement(&Vcb->LockCount) <= 0)
        KeSetEvent(&Vcb->Lock, IO_NO_INCREMENT, FALSE);
}

FORCEINLINE VOID FatFsdUnlock(PFSD_VCB Vcb)
{
    FatFsdReleaseLockAnyThread(Vcb);
    KeLeaveCriticalRegion();
}
