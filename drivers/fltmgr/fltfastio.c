/* drivers/fltmgr/fltfastio.c - fast I/O through the Filter Manager's frame: passed to the file
 * system when no minifilter registered for that operation, else refused so the IRP comes. */
#include "fltmgrp.h"

/* A minifilter instance on the frame's volume registered for Major: then the request must
 * come as an IRP, where its callbacks run (FltMgr does not call callbacks for fast I/O here;
 * a minifilter sees every operation as an IRP, as if it answered FLT_PREOP_DISALLOW_FASTIO). */
static BOOLEAN FltpWanted(PDEVICE_OBJECT Frame, UCHAR Major)
{
    PFLTP_FRAME_EXTENSION ext = Frame->DeviceExtension;
    BOOLEAN wanted = FALSE;
    KIRQL irql;
    if (!ext->Volume)
        return FALSE;
    KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
    for (PLIST_ENTRY l = ext->Volume->Instances.Flink; l != &ext->Volume->Instances && !wanted; l = l->Flink) {
        PFLT_INSTANCE i = CONTAINING_RECORD(l, FLT_INSTANCE, VolumeLink);
        wanted = i->Filter->Pre[Major] || i->Filter->Post[Major];
    }
    KeReleaseSpinLock(&FltpGlobals.Lock, irql);
    return wanted;
}

/* The file system's table, if it holds the routine ending at End, unless Major is wanted. */
static PFAST_IO_DISPATCH FltpLower(PDEVICE_OBJECT Frame, UCHAR Major, ULONG End, PDEVICE_OBJECT *Lower)
{
    PFLTP_FRAME_EXTENSION ext = Frame->DeviceExtension;
    *Lower = ext->AttachedTo;
    if (Major != 0xFF && FltpWanted(Frame, Major))
        return NULL;
    PFAST_IO_DISPATCH fio = *Lower ? (*Lower)->DriverObject->FastIoDispatch : NULL;
    return fio && fio->SizeOfFastIoDispatch >= End ? fio : NULL;
}

#define FLTP_END(field) (FIELD_OFFSET(FAST_IO_DISPATCH, field) + sizeof(PVOID))
#define FLTP_PASS(major, field, ...)                                                           \
    PDEVICE_OBJECT lower;                                                                      \
    PFAST_IO_DISPATCH fio = FltpLower(DeviceObject, major, FLTP_END(field), &lower);            \
    return fio && fio->field ? fio->field(__VA_ARGS__, lower) : FALSE

/* The FAST_IO_* routines: PASSIVE_LEVEL, as the I/O manager calls them. */
static BOOLEAN FltpFastIoCheckIfPossible(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                         BOOLEAN Wait, ULONG LockKey, BOOLEAN CheckForReadOperation,
                                         PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(CheckForReadOperation ? IRP_MJ_READ : IRP_MJ_WRITE, FastIoCheckIfPossible, FileObject, FileOffset,
              Length, Wait, LockKey, CheckForReadOperation, IoStatus);
}

static BOOLEAN FltpFastIoRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                              ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_READ, FastIoRead, FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus);
}

static BOOLEAN FltpFastIoWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                               ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_WRITE, FastIoWrite, FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus);
}

static BOOLEAN FltpFastIoQueryBasicInfo(PFILE_OBJECT FileObject, BOOLEAN Wait, PFILE_BASIC_INFORMATION Buffer,
                                        PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_QUERY_INFORMATION, FastIoQueryBasicInfo, FileObject, Wait, Buffer, IoStatus);
}

static BOOLEAN FltpFastIoQueryStandardInfo(PFILE_OBJECT FileObject, BOOLEAN Wait, PFILE_STANDARD_INFORMATION Buffer,
                                           PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_QUERY_INFORMATION, FastIoQueryStandardInfo, FileObject, Wait, Buffer, IoStatus);
}

static BOOLEAN FltpFastIoQueryNetworkOpenInfo(PFILE_OBJECT FileObject, BOOLEAN Wait,
                                              PFILE_NETWORK_OPEN_INFORMATION Buffer, PIO_STATUS_BLOCK IoStatus,
                                              PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_QUERY_INFORMATION, FastIoQueryNetworkOpenInfo, FileObject, Wait, Buffer, IoStatus);
}

static BOOLEAN FltpFastIoLock(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, PLARGE_INTEGER Length,
                              PVOID ProcessId, ULONG Key, BOOLEAN FailImmediately, BOOLEAN ExclusiveLock,
                              PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_LOCK_CONTROL, FastIoLock, FileObject, FileOffset, Length, ProcessId, Key, FailImmediately,
              ExclusiveLock, IoStatus);
}

static BOOLEAN FltpFastIoUnlockSingle(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, PLARGE_INTEGER Length,
                                      PVOID ProcessId, ULONG Key, PIO_STATUS_BLOCK IoStatus,
                                      PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_LOCK_CONTROL, FastIoUnlockSingle, FileObject, FileOffset, Length, ProcessId, Key, IoStatus);
}

static BOOLEAN FltpFastIoUnlockAll(PFILE_OBJECT FileObject, PVOID ProcessId, PIO_STATUS_BLOCK IoStatus,
                                   PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_LOCK_CONTROL, FastIoUnlockAll, FileObject, ProcessId, IoStatus);
}

static BOOLEAN FltpFastIoUnlockAllByKey(PFILE_OBJECT FileObject, PVOID ProcessId, ULONG Key,
                                        PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_LOCK_CONTROL, FastIoUnlockAllByKey, FileObject, ProcessId, Key, IoStatus);
}

static BOOLEAN FltpFastIoDeviceControl(PFILE_OBJECT FileObject, BOOLEAN Wait, PVOID InputBuffer,
                                       ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength,
                                       ULONG IoControlCode, PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_DEVICE_CONTROL, FastIoDeviceControl, FileObject, Wait, InputBuffer, InputBufferLength,
              OutputBuffer, OutputBufferLength, IoControlCode, IoStatus);
}

/* The section pair is called with the file only: the frame below the caller is found again. */
static PFAST_IO_DISPATCH FltpSectionLower(PFILE_OBJECT FileObject, ULONG End)
{
    PDEVICE_OBJECT d = IoGetRelatedDeviceObject(FileObject), lower;
    while (d && d->DriverObject != FltpGlobals.Driver)
        d = d->DeviceObjectExtension->AttachedTo;
    return d ? FltpLower(d, 0xFF, End, &lower) : NULL;
}

static VOID FltpAcquireFileForNtCreateSection(PFILE_OBJECT FileObject)
{
    PFAST_IO_DISPATCH fio = FltpSectionLower(FileObject, FLTP_END(AcquireFileForNtCreateSection));
    if (fio && fio->AcquireFileForNtCreateSection)
        fio->AcquireFileForNtCreateSection(FileObject);
}

static VOID FltpReleaseFileForNtCreateSection(PFILE_OBJECT FileObject)
{
    PFAST_IO_DISPATCH fio = FltpSectionLower(FileObject, FLTP_END(ReleaseFileForNtCreateSection));
    if (fio && fio->ReleaseFileForNtCreateSection)
        fio->ReleaseFileForNtCreateSection(FileObject);
}

FAST_IO_DISPATCH FltpFastIoDispatch = {
    .SizeOfFastIoDispatch = sizeof(FAST_IO_DISPATCH),
    .FastIoCheckIfPossible = FltpFastIoCheckIfPossible,
    .FastIoRead = FltpFastIoRead,
    .FastIoWrite = FltpFastIoWrite,
    .FastIoQueryBasicInfo = FltpFastIoQueryBasicInfo,
    .FastIoQueryStandardInfo = FltpFastIoQueryStandardInfo,
    .FastIoLock = FltpFastIoLock,
    .FastIoUnlockSingle = FltpFastIoUnlockSingle,
    .FastIoUnlockAll = FltpFastIoUnlockAll,
    .FastIoUnlockAllByKey = FltpFastIoUnlockAllByKey,
    .FastIoDeviceControl = FltpFastIoDeviceControl,
    .AcquireFileForNtCreateSection = FltpAcquireFileForNtCreateSection,
    .ReleaseFileForNtCreateSection = FltpReleaseFileForNtCreateSection,
    .FastIoDetachDevice = FltpFastIoDetachDevice,
    .FastIoQueryNetworkOpenInfo = FltpFastIoQueryNetworkOpenInfo,
};
