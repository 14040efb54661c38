/* drivers/filter/fltfastio.c - a legacy filter must answer every fast-I/O routine: each one here
 * is counted and passed to the driver below with the device below, or answers FALSE (take the
 * IRP path) when that driver has no such routine. */
#include "filter.h"

/* The driver below's table, if it holds the routine that ends at End. */
static PFAST_IO_DISPATCH FltpLower(PDEVICE_OBJECT DeviceObject, ULONG Index, ULONG End, PDEVICE_OBJECT *Lower)
{
    PFILTER_EXTENSION ext = DeviceObject->DeviceExtension;
    FltpCount(&FltpStatsBlock()->FastIoCalls[Index]);
    *Lower = ext->AttachedTo;
    PFAST_IO_DISPATCH fio = *Lower ? (*Lower)->DriverObject->FastIoDispatch : NULL;
    return fio && fio->SizeOfFastIoDispatch >= End ? fio : NULL;
}

static BOOLEAN FltpPassed(ULONG Index, BOOLEAN Result)
{
    if (Result)
        FltpCount(&FltpStatsBlock()->FastIoPassed[Index]);
    return Result;
}

#define FLT_END(field) (FIELD_OFFSET(FAST_IO_DISPATCH, field) + sizeof(PVOID))
#define FLT_PASS(index, field, ...)                                                            \
    PDEVICE_OBJECT lower;                                                                      \
    PFAST_IO_DISPATCH fio = FltpLower(DeviceObject, index, FLT_END(field), &lower);             \
    if (!fio || !fio->field)                                                                   \
        return FALSE;                                                                          \
    return FltpPassed(index, fio->field(__VA_ARGS__, lower))

/* FAST_IO_CHECK_IF_POSSIBLE and the rest: PASSIVE_LEVEL, as the I/O manager calls them. */
static BOOLEAN FltpFastIoCheckIfPossible(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                         BOOLEAN Wait, ULONG LockKey, BOOLEAN CheckForReadOperation,
                                         PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLT_PASS(FltFastIoCheckIfPossible, FastIoCheckIfPossible, FileObject, FileOffset, Length, Wait, LockKey,
             CheckForReadOperation, IoStatus);
}

/* A read or write the driver below did by fast I/O is counted with its bytes, as the
 * completion routine counts an IRP's. */
static BOOLEAN FltpFastIoRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                              ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    PDEVICE_OBJECT lower;
    PFAST_IO_DISPATCH fio = FltpLower(DeviceObject, FltFastIoRead, FLT_END(FastIoRead), &lower);
    if (!fio || !fio->FastIoRead || !fio->FastIoRead(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, lower))
        return FALSE;
    if (NT_SUCCESS(IoStatus->Status))
        FltpCountBytes(&FltpStatsBlock()->FastIoBytesRead, IoStatus->Information);
    return FltpPassed(FltFastIoRead, TRUE);
}

static BOOLEAN FltpFastIoWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                               ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    PDEVICE_OBJECT lower;
    PFAST_IO_DISPATCH fio = FltpLower(DeviceObject, FltFastIoWrite, FLT_END(FastIoWrite), &lower);
    if (!fio || !fio->FastIoWrite ||
        !fio->FastIoWrite(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, lower))
        return FALSE;
    if (NT_SUCCESS(IoStatus->Status))
        FltpCountBytes(&FltpStatsBlock()->FastIoBytesWritten, IoStatus->Information);
    return FltpPassed(FltFastIoWrite, TRUE);
}

static BOOLEAN FltpFastIoQueryBasicInfo(PFILE_OBJECT FileObject, BOOLEAN Wait, PFILE_BASIC_INFORMATION Buffer,
                                        PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLT_PASS(FltFastIoQueryBasicInfo, FastIoQueryBasicInfo, FileObject, Wait, Buffer, IoStatus);
}

static BOOLEAN FltpFastIoQueryStandardInfo(PFILE_OBJECT FileObject, BOOLEAN Wait, PFILE_STANDARD_INFORMATION Buffer,
                                           PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLT_PASS(FltFastIoQueryStandardInfo, FastIoQueryStandardInfo, FileObject, Wait, Buffer, IoStatus);
}

static BOOLEAN FltpFastIoLock(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, PLARGE_INTEGER Length,
                              PVOID ProcessId, ULONG Key, BOOLEAN FailImmediately, BOOLEAN ExclusiveLock,
                              PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLT_PASS(FltFastIoLock, FastIoLock, FileObject, FileOffset, Length, ProcessId, Key, FailImmediately,
             ExclusiveLock, IoStatus);
}

static BOOLEAN FltpFastIoUnlockSingle(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, PLARGE_INTEGER Length,
                                      PVOID ProcessId, ULONG Key, PIO_STATUS_BLOCK IoStatus,
                                      PDEVICE_OBJECT DeviceObject)
{
    FLT_PASS(FltFastIoUnlockSingle, FastIoUnlockSingle, FileObject, FileOffset, Length, ProcessId, Key, IoStatus);
}

static BOOLEAN FltpFastIoUnlockAll(PFILE_OBJECT FileObject, PVOID ProcessId, PIO_STATUS_BLOCK IoStatus,
                                   PDEVICE_OBJECT DeviceObject)
{
    FLT_PASS(FltFastIoUnlockAll, FastIoUnlockAll, FileObject, ProcessId, IoStatus);
}

static BOOLEAN FltpFastIoUnlockAllByKey(PFILE_OBJECT FileObject, PVOID ProcessId, ULONG Key,
                                        PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLT_PASS(FltFastIoUnlockAllByKey, FastIoUnlockAllByKey, FileObject, ProcessId, Key, IoStatus);
}

static BOOLEAN FltpFastIoDeviceControl(PFILE_OBJECT FileObject, BOOLEAN Wait, PVOID InputBuffer,
                                       ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength,
                                       ULONG IoControlCode, PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLT_PASS(FltFastIoDeviceControl, FastIoDeviceControl, FileObject, Wait, InputBuffer, InputBufferLength,
             OutputBuffer, OutputBufferLength, IoControlCode, IoStatus);
}

static BOOLEAN FltpFastIoQueryNetworkOpenInfo(PFILE_OBJECT FileObject, BOOLEAN Wait,
                                              PFILE_NETWORK_OPEN_INFORMATION Buffer, PIO_STATUS_BLOCK IoStatus,
                                              PDEVICE_OBJECT DeviceObject)
{
    FLT_PASS(FltFastIoQueryNetworkOpenInfo, FastIoQueryNetworkOpenInfo, FileObject, Wait, Buffer, IoStatus);
}

/* The section-creation pair has no answer to give: it is called on the file system's device,
 * so pass it along when the driver below has it. */
static PDEVICE_OBJECT FltpFileDevice(PFILE_OBJECT FileObject)
{
    return IoGetRelatedDeviceObject(FileObject);
}

static VOID FltpAcquireFileForNtCreateSection(PFILE_OBJECT FileObject)
{
    PDEVICE_OBJECT lower;
    PFAST_IO_DISPATCH fio = FltpLower(FltpFileDevice(FileObject), FltAcquireFileForNtCreateSection,
                                      FLT_END(AcquireFileForNtCreateSection), &lower);
    if (fio && fio->AcquireFileForNtCreateSection)
        fio->AcquireFileForNtCreateSection(FileObject), FltpPassed(FltAcquireFileForNtCreateSection, TRUE);
}

static VOID FltpReleaseFileForNtCreateSection(PFILE_OBJECT FileObject)
{
    PDEVICE_OBJECT lower;
    PFAST_IO_DISPATCH fio = FltpLower(FltpFileDevice(FileObject), FltReleaseFileForNtCreateSection,
                                      FLT_END(ReleaseFileForNtCreateSection), &lower);
    if (fio && fio->ReleaseFileForNtCreateSection)
        fio->ReleaseFileForNtCreateSection(FileObject), FltpPassed(FltReleaseFileForNtCreateSection, TRUE);
}

FAST_IO_DISPATCH FltFastIoDispatch = {
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
    .FastIoDetachDevice = FltFastIoDetachDevice,
    .FastIoQueryNetworkOpenInfo = FltpFastIoQueryNetworkOpenInfo,
};
