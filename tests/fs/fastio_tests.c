/* tests/fs/fastio_tests.c - fast I/O: the I/O manager tries it first on cached synchronous
 * handles and falls back to an IRP; FAT answers through the cache manager (Wait semantics);
 * the legacy filter sees, counts and passes every routine of the table. */
#include "fsutil.h"
#include <ntifs.h>
#include "../../drivers/filter/filter.h"
#include "../../drivers/fat/fsd.h"

static UCHAR FtBuf[3 * CC_VIEW_SIZE], FtBack[65536];

static PFILE_OBJECT FtFile(HANDLE H)
{
    PFILE_OBJECT fo = NULL;
    ObReferenceObjectByHandle(H, 0, *IoFileObjectType, KernelMode, (PVOID *)&fo, NULL);
    return fo;
}

KTEST(fastio, first_read_is_an_irp_and_the_rest_are_fast_io)
{
    IO_FAST_IO_STATISTICS a, b;
    FILTER_STATS f;
    HANDLE h;
    ULONG done, good = 0;
    FsPattern(FtBuf, 16384, 1);
    KT_STATUS(FsWriteFile(L"\\FAST.BIN", FtBuf, 16384), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\FAST.BIN", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
    FltResetStats();
    IoQueryFastIoStatistics(&a);
    for (ULONG i = 0; i < 4; i++)
        good += NT_SUCCESS(FsReadAt(h, i * 4096, FtBack, 4096, &done)) && done == 4096 &&
                RtlEqualMemory(FtBack, FtBuf + i * 4096, 4096);
    IoQueryFastIoStatistics(&b);
    FltGetStats(&f);
    KT_EQ(good, 4);
    KT_EQ(b.ReadsTried - a.ReadsTried, 4);
    KT_EQ(b.ReadsDone - a.ReadsDone, 3);           /* not cached before the first IRP */
    KT_EQ(f.FastIoCalls[FltFastIoRead], 4);        /* the filter saw every try */
    KT_EQ(f.FastIoPassed[FltFastIoRead], 3);
    KT_EQ(f.FastIoBytesRead, 3 * 4096);
    KT_EQ(f.Requests[IRP_MJ_READ], 2);             /* the fallback IRP and the cache's paging read */
    ZwClose(h);
}

KTEST(fastio, no_intermediate_buffering_handles_keep_the_irp_path)
{
    IO_FAST_IO_STATISTICS a, b;
    FILTER_STATS f;
    HANDLE h;
    ULONG done;
    FsPattern(FtBuf, 8192, 2);
    KT_STATUS(FsOpen(L"\\NOFAST.BIN", FILE_OVERWRITE_IF, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
    FltResetStats();
    IoQueryFastIoStatistics(&a);
    KT_STATUS(FsWriteAt(h, 0, FtBuf, 8192, &done), STATUS_SUCCESS);
    for (ULONG i = 0; i < 3; i++)
        KT_STATUS(FsReadAt(h, 0, FtBack, 8192, &done), STATUS_SUCCESS);
    IoQueryFastIoStatistics(&b);
    FltGetStats(&f);
    KT_EQ(b.ReadsTried, a.ReadsTried);
    KT_EQ(b.WritesTried, a.WritesTried);
    KT_EQ(f.FastIoCalls[FltFastIoRead] + f.FastIoCalls[FltFastIoWrite], 0);
    KT_EQ(f.Requests[IRP_MJ_READ], 3);
    KT_EQ(f.CompletionIrql[IRP_MJ_READ][2], 3);    /* each from the disk's DPC */
    ZwClose(h);
}

/* FastIoRead with Wait FALSE may not block: on data that is not resident it answers FALSE
 * (the caller would send an IRP); with Wait TRUE it reads; then Wait FALSE succeeds. */
KTEST(fastio, wait_false_falls_back_when_the_data_is_not_resident)
{
    CC_STATISTICS c0, c1;
    IO_STATUS_BLOCK iosb;
    HANDLE h;
    ULONG done;
    FsPattern(FtBuf, sizeof(FtBuf), 3);
    KT_STATUS(FsWriteFile(L"\\WAIT.BIN", FtBuf, sizeof(FtBuf)), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\WAIT.BIN", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(h, 0, FtBack, 512, &done), STATUS_SUCCESS); /* the IRP that starts caching */
    PFILE_OBJECT fo = FtFile(h);
    KT_ASSERT(fo && fo->PrivateCacheMap);
    PDEVICE_OBJECT top = IoGetRelatedDeviceObject(fo);
    PFAST_IO_DISPATCH fio = top->DriverObject->FastIoDispatch;
    LARGE_INTEGER far;
    far.QuadPart = 2 * CC_VIEW_SIZE + 100; /* view 0 was read, view 1 read ahead, not 2 */
    CcQueryStatistics(&c0);
    KT_ASSERT(!fio->FastIoRead(fo, &far, 1000, FALSE, 0, FtBack, &iosb, top));
    CcQueryStatistics(&c1);
    KT_EQ(c1.CopyWaitFailures - c0.CopyWaitFailures, 1);
    KT_EQ(c1.PagingReads, c0.PagingReads);         /* and it did not read */
    KT_ASSERT(fio->FastIoRead(fo, &far, 1000, TRUE, 0, FtBack, &iosb, top));
    KT_STATUS(iosb.Status, STATUS_SUCCESS);
    KT_EQ(iosb.Information, 1000);
    KT_ASSERT(RtlEqualMemory(FtBack, FtBuf + far.QuadPart, 1000));
    RtlZeroMemory(FtBack, 1000);
    KT_ASSERT(fio->FastIoRead(fo, &far, 1000, FALSE, 0, FtBack, &iosb, top));
    KT_ASSERT(RtlEqualMemory(FtBack, FtBuf + far.QuadPart, 1000));
    /* a write past the end grows the file: not without waiting */
    far.QuadPart = sizeof(FtBuf);
    KT_ASSERT(!fio->FastIoWrite(fo, &far, 10, FALSE, 0, FtBack, &iosb, top));
    ObDereferenceObject(fo);
    ZwClose(h);
}

KTEST(fastio, queries_take_fast_io_and_agree_with_the_irp)
{
    IO_FAST_IO_STATISTICS a, b;
    FILE_STANDARD_INFORMATION fs, is;
    FILE_BASIC_INFORMATION fb, ib;
    IO_STATUS_BLOCK iosb;
    FILTER_STATS f;
    HANDLE c, n;
    FsPattern(FtBuf, 5000, 4);
    KT_STATUS(FsWriteFile(L"\\QUERY.BIN", FtBuf, 5000), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\QUERY.BIN", FILE_OPEN, 0, &c, NULL), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\QUERY.BIN", FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &n, NULL), STATUS_SUCCESS);
    FltResetStats();
    IoQueryFastIoStatistics(&a);
    KT_STATUS(ZwQueryInformationFile(c, &iosb, &fs, sizeof(fs), FileStandardInformation), STATUS_SUCCESS);
    KT_STATUS(ZwQueryInformationFile(c, &iosb, &fb, sizeof(fb), FileBasicInformation), STATUS_SUCCESS);
    IoQueryFastIoStatistics(&b);
    FltGetStats(&f);
    KT_EQ(b.QueriesDone - a.QueriesDone, 2);
    KT_EQ(f.FastIoPassed[FltFastIoQueryStandardInfo], 1);
    KT_EQ(f.FastIoPassed[FltFastIoQueryBasicInfo], 1);
    KT_EQ(f.Requests[IRP_MJ_QUERY_INFORMATION], 0);
    KT_STATUS(ZwQueryInformationFile(n, &iosb, &is, sizeof(is), FileStandardInformation), STATUS_SUCCESS);
    KT_STATUS(ZwQueryInformationFile(n, &iosb, &ib, sizeof(ib), FileBasicInformation), STATUS_SUCCESS);
    FltGetStats(&f);
    KT_EQ(f.Requests[IRP_MJ_QUERY_INFORMATION], 2);
    KT_EQ(fs.EndOfFile.QuadPart, 5000);
    KT_ASSERT(RtlEqualMemory(&fs, &is, sizeof(fs)) && RtlEqualMemory(&fb, &ib, sizeof(fb)));
    ZwClose(n);
    ZwClose(c);
}

/* Every routine of the filter's table, called on the filter's device: each is counted and
 * handed to FAT's table with FAT's volume device; what FAT lacks comes back FALSE. */
KTEST(fastio, the_filter_sees_and_passes_every_fast_io_call)
{
    IO_STATUS_BLOCK iosb;
    FILTER_STATS f;
    FILE_BASIC_INFORMATION basic;
    FILE_STANDARD_INFORMATION std;
    FILE_NETWORK_OPEN_INFORMATION net;
    LARGE_INTEGER off, len;
    HANDLE h;
    ULONG done;
    FsPattern(FtBuf, 4096, 5);
    KT_STATUS(FsOpen(L"\\PASS.BIN", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(h, 0, FtBuf, 4096, &done), STATUS_SUCCESS); /* cached from here on */
    PFILE_OBJECT fo = FtFile(h);
    KT_ASSERT(fo != NULL);
    PDEVICE_OBJECT top = IoGetRelatedDeviceObject(fo);
    KT_ASSERT(top->DriverObject == FltDriverObject);
    PFAST_IO_DISPATCH t = top->DriverObject->FastIoDispatch;
    off.QuadPart = 0;
    len.QuadPart = 10;
    FltResetStats();
    KT_ASSERT(t->FastIoCheckIfPossible(fo, &off, 10, TRUE, 0, TRUE, &iosb, top));
    KT_ASSERT(t->FastIoRead(fo, &off, 100, TRUE, 0, FtBack, &iosb, top));
    KT_ASSERT(RtlEqualMemory(FtBack, FtBuf, 100));
    KT_ASSERT(t->FastIoWrite(fo, &off, 100, TRUE, 0, FtBuf, &iosb, top));
    KT_ASSERT(t->FastIoQueryBasicInfo(fo, TRUE, &basic, &iosb, top));
    KT_ASSERT(t->FastIoQueryStandardInfo(fo, TRUE, &std, &iosb, top));
    KT_EQ(std.EndOfFile.QuadPart, 4096);
    KT_ASSERT(!t->FastIoLock(fo, &off, &len, NULL, 0, TRUE, TRUE, &iosb, top));
    KT_ASSERT(!t->FastIoUnlockSingle(fo, &off, &len, NULL, 0, &iosb, top));
    KT_ASSERT(!t->FastIoUnlockAll(fo, NULL, &iosb, top));
    KT_ASSERT(!t->FastIoUnlockAllByKey(fo, NULL, 0, &iosb, top));
    KT_ASSERT(!t->FastIoDeviceControl(fo, TRUE, NULL, 0, NULL, 0, 0, &iosb, top));
    KT_ASSERT(!t->FastIoQueryNetworkOpenInfo(fo, TRUE, &net, &iosb, top));
    t->AcquireFileForNtCreateSection(fo);
    t->ReleaseFileForNtCreateSection(fo);
    FltGetStats(&f);
    for (ULONG i = 0; i < FLT_FASTIO_ROUTINES; i++)
        KT_EQ(f.FastIoCalls[i], 1);
    for (ULONG i = 0; i < FLT_FASTIO_ROUTINES; i++)
        /* FAT answers the first five; the section pair returns nothing and counts as passed
         * when the driver below has it, as the Filter Manager's frame below the filter does. */
        KT_EQ(f.FastIoPassed[i], i <= FltFastIoQueryStandardInfo || i == FltAcquireFileForNtCreateSection ||
                                         i == FltReleaseFileForNtCreateSection ? 1 : 0);
    ObDereferenceObject(fo);
    ZwClose(h);
}

KTEST(fastio, fast_io_writes_grow_the_file_and_read_back)
{
    IO_FAST_IO_STATISTICS a, b;
    HANDLE h;
    ULONG done;
    ULONG64 size;
    FsPattern(FtBuf, 3 * 65536, 6);
    KT_STATUS(FsOpen(L"\\GROW.BIN", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(h, 0, FtBuf, 1, &done), STATUS_SUCCESS); /* IRP: the cache starts */
    IoQueryFastIoStatistics(&a);
    for (ULONG i = 0; i < 3; i++)
        KT_STATUS(FsWriteAt(h, i * 65536, FtBuf + i * 65536, 65536, &done), STATUS_SUCCESS);
    IoQueryFastIoStatistics(&b);
    KT_EQ(b.WritesDone - a.WritesDone, 3);
    KT_STATUS(FsSize(h, &size), STATUS_SUCCESS);
    KT_EQ(size, 3 * 65536);
    ZwClose(h);
    RtlZeroMemory(FtBuf + 3 * 65536, 65536);
    KT_STATUS(FsReadFile(L"\\GROW.BIN", FtBuf + 3 * 65536, 65536, &done), STATUS_SUCCESS);
    KT_ASSERT(RtlEqualMemory(FtBuf + 3 * 65536, FtBuf, 65536));
}

/* A cached fast read needs only the file's size and its deleted bit, which it reads without
 * FAT's volume lock: with the lock held elsewhere (here by this thread) a Wait FALSE read is
 * still done, and a read at the end still answers STATUS_END_OF_FILE, a read across it the
 * bytes up to it. A write still needs the lock: Wait FALSE, it falls back. */
KTEST(fastio, a_cached_read_needs_no_volume_lock_and_still_stops_at_the_end)
{
    IO_STATUS_BLOCK iosb;
    HANDLE h;
    ULONG done;
    LARGE_INTEGER at;
    FsPattern(FtBuf, 8192, 31);
    KT_STATUS(FsWriteFile(L"\\NOLOCK.BIN", FtBuf, 8192), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\NOLOCK.BIN", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(h, 0, FtBack, 512, &done), STATUS_SUCCESS); /* the IRP that starts caching */
    PFILE_OBJECT fo = FtFile(h);
    PFSD_VCB vcb = FsMountedVcb();
    KT_ASSERT(fo && fo->PrivateCacheMap && vcb);
    PDEVICE_OBJECT top = IoGetRelatedDeviceObject(fo);
    PFAST_IO_DISPATCH fio = top->DriverObject->FastIoDispatch;
    FatFsdLock(vcb);
    at.QuadPart = 4096;
    RtlZeroMemory(FtBack, 1000);
    BOOLEAN read = fio->FastIoRead(fo, &at, 1000, FALSE, 0, FtBack, &iosb, top);
    NTSTATUS readStatus = iosb.Status;
    at.QuadPart = 8192;
    BOOLEAN atEnd = fio->FastIoRead(fo, &at, 10, FALSE, 0, FtBack + 1000, &iosb, top);
    NTSTATUS endStatus = iosb.Status;
    at.QuadPart = 8000;
    BOOLEAN across = fio->FastIoRead(fo, &at, 1000, FALSE, 0, FtBack + 2000, &iosb, top);
    ULONG_PTR acrossBytes = iosb.Information;
    at.QuadPart = 0;
    BOOLEAN wrote = fio->FastIoWrite(fo, &at, 10, FALSE, 0, FtBack, &iosb, top);
    FatFsdUnlock(vcb);
    KT_ASSERT(read);
    KT_STATUS(readStatus, STATUS_SUCCESS);
    KT_ASSERT(RtlEqualMemory(FtBack, FtBuf + 4096, 1000));
    KT_ASSERT(atEnd);
    KT_STATUS(endStatus, STATUS_END_OF_FILE);
    KT_ASSERT(across);
    KT_EQ(acrossBytes, 192);
    KT_ASSERT(RtlEqualMemory(FtBack + 2000, FtBuf + 8000, 192));
    KT_ASSERT(!wrote);
    ObDereferenceObject(fo);
    ZwClose(h);
}
