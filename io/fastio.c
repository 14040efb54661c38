/* io/fastio.c - fast I/O first: for a synchronous, cached file object the I/O manager calls the
 * top driver's FAST_IO_DISPATCH routine and builds an IRP only when that answers FALSE. */
#include "fastio.h"

IO_FAST_IO_STATISTICS IopFastIoStats;

/* PASSIVE_LEVEL. The two queries NtQueryInformationFile takes through fast I/O. */
BOOLEAN IopFastIoQuery(PFILE_OBJECT File, ULONG Class, PVOID Buffer, ULONG Length, PIO_STATUS_BLOCK Iosb)
{
    PDEVICE_OBJECT top;
    IO_STATUS_BLOCK local;
    BOOLEAN done = FALSE;
    PFAST_IO_DISPATCH fio = IopFastIoTable(File, &top, FIELD_OFFSET(FAST_IO_DISPATCH, FastIoLock));
    if (!fio)
        return FALSE;
    if (Class == FileBasicInformation && Length >= sizeof(FILE_BASIC_INFORMATION) && fio->FastIoQueryBasicInfo) {
        IopFastCount(QueriesTried);
        done = fio->FastIoQueryBasicInfo(File, TRUE, Buffer, &local, top);
    } else if (Class == FileStandardInformation && Length >= sizeof(FILE_STANDARD_INFORMATION) &&
               fio->FastIoQueryStandardInfo) {
        IopFastCount(QueriesTried);
        done = fio->FastIoQueryStandardInfo(File, TRUE, Buffer, &local, top);
    }
    if (done) {
        IopFastCount(QueriesDone);
        *Iosb = local;
    }
    return done;
}

/* IRQL: any. */
VOID IoQueryFastIoStatistics(PIO_FAST_IO_STATISTICS Statistics) { *Statistics = IopFastIoStats; }
