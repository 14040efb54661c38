/* io/fastio.h - fast I/O first, inline in the read and write paths: for a synchronous, cached
 * file object the I/O manager calls the top driver's FAST_IO_DISPATCH routine, an IRP only after. */
#pragma once
#include "iop.h"

extern IO_FAST_IO_STATISTICS IopFastIoStats;
#define IopFastCount(field) __atomic_add_fetch(&IopFastIoStats.field, 1, __ATOMIC_RELAXED)

/* Where fast I/O may be tried, as NtReadFile decides: a file object opened for synchronous I/O
 * on a mounted volume, without FILE_NO_INTERMEDIATE_BUFFERING (which wants the IRP and its
 * non-cached path). The table must be long enough to hold the routine. */
FORCEINLINE PFAST_IO_DISPATCH IopFastIoTable(PFILE_OBJECT File, PDEVICE_OBJECT *Top, ULONG RoutineEnd)
{
    if (!(File->Flags & FO_SYNCHRONOUS_IO) || (File->Flags & (FO_NO_INTERMEDIATE_BUFFERING | FO_DIRECT_DEVICE_OPEN)))
        return NULL;
    *Top = IoGetRelatedDeviceObject(File);
    PFAST_IO_DISPATCH fio = (*Top)->DriverObject->FastIoDispatch;
    return fio && fio->SizeOfFastIoDispatch >= RoutineEnd ? fio : NULL;
}

/* PASSIVE_LEVEL. TRUE: the read or write was done by fast I/O and *Iosb holds its result. */
FORCEINLINE BOOLEAN IopFastIoReadWrite(PFILE_OBJECT File, UCHAR Major, PVOID Buffer, ULONG Length,
                                       PLARGE_INTEGER ByteOffset, ULONG Key, PIO_STATUS_BLOCK Iosb)
{
    PDEVICE_OBJECT top;
    BOOLEAN write = Major == IRP_MJ_WRITE;
    PFAST_IO_DISPATCH fio = IopFastIoTable(File, &top, write ? FIELD_OFFSET(FAST_IO_DISPATCH, FastIoQueryBasicInfo)
                                                             : FIELD_OFFSET(FAST_IO_DISPATCH, FastIoWrite));
    PFAST_IO_READ routine = fio ? (write ? fio->FastIoWrite : fio->FastIoRead) : NULL;
    LARGE_INTEGER offset;
    IO_STATUS_BLOCK local;
    if (!routine)
        return FALSE;
    if (!ByteOffset || (ByteOffset->LowPart == FILE_USE_FILE_POINTER_POSITION && ByteOffset->HighPart == -1))
        offset = File->CurrentByteOffset;
    else
        offset = *ByteOffset;
    write ? IopFastCount(WritesTried) : IopFastCount(ReadsTried);
    if (!routine(File, &offset, Length, TRUE, Key, Buffer, &local, top))
        return FALSE;
    write ? IopFastCount(WritesDone) : IopFastCount(ReadsDone);
    *Iosb = local;
    return TRUE;
}
