/* tests/bench/fs_bench.c - the file-system workload of `make bench`: on a 64 MiB FAT16 disk
 * (mkfs.fat -F 16, passed with -initrd) write a 32 MiB file through the cache and flush it,
 * read it cold (a fresh open: the last close dropped the cache) with 4 KiB and 64 KiB requests,
 * re-read it warm, read it non-cached, and memcpy the same bytes. Row names are the table's. */
#include "../fs/fsutil.h"
#include <ntifs.h>
#include <arch/x86.h>

#define FILE_BYTES (32u << 20)
static UCHAR KbfBuf[65536];

static VOID KbfReport(PCSTR Name, ULONG64 Requests, ULONG64 Ticks)
{
    KtBenchReport(Name, Requests, Ticks);
    DbgPrint("BENCH-BYTES %s %u\n", Name, FILE_BYTES);
}

static BOOLEAN KbfRead(HANDLE H, ULONG Chunk, PCSTR Name)
{
    ULONG done, n = 0;
    ULONG64 t0 = __rdtsc();
    for (ULONG64 off = 0; off < FILE_BYTES; off += Chunk, n++)
        if (!NT_SUCCESS(FsReadAt(H, (LONGLONG)off, KbfBuf, Chunk, &done)) || done != Chunk)
            return FALSE;
    KbfReport(Name, n, __rdtsc() - t0);
    return TRUE;
}

/* A fresh handle on the file: when the previous one closed, the cache manager wrote and
 * dropped everything it held of the file, so the next reads start cold. */
static BOOLEAN KbfReopen(PHANDLE H, ULONG Options)
{
    if (*H)
        ZwClose(*H);
    *H = NULL;
    return NT_SUCCESS(FsOpen(L"\\BENCH.BIN", FILE_OPEN, Options, H, NULL));
}

KBENCH_DEFINE(fs_workload)
{
    GET_LENGTH_INFORMATION len;
    HANDLE h = NULL;
    ULONG done, n = 0;
    if (!NT_SUCCESS(FsDiskControl(IOCTL_DISK_GET_LENGTH_INFO, &len, sizeof(len))) || len.Length.QuadPart < (60 << 20)) {
        DbgPrint("BENCH-INFO fs workload skipped: needs the 64 MiB FAT16 bench disk\n");
        return;
    }
    if (!NT_SUCCESS(FsOpen(L"\\BENCH.BIN", FILE_OVERWRITE_IF, 0, &h, NULL)))
        return;
    FsPattern(KbfBuf, sizeof(KbfBuf), 5);
    ULONG64 t0 = __rdtsc();
    for (ULONG64 off = 0; off < FILE_BYTES; off += sizeof(KbfBuf), n++)
        if (!NT_SUCCESS(FsWriteAt(h, (LONGLONG)off, KbfBuf, sizeof(KbfBuf), &done)))
            goto out;
    FsFlush(h); /* the cache's dirty views go down as paging writes */
    KbfReport("write", n, __rdtsc() - t0);
    if (!KbfReopen(&h, 0) || !KbfRead(h, 4096, "cold read 4 KiB") || !KbfReopen(&h, 0) ||
        !KbfRead(h, 65536, "cold read 64 KiB") || !KbfRead(h, 65536, "warm re-read 64 KiB") ||
        !KbfRead(h, 4096, "warm re-read 4 KiB") || !KbfReopen(&h, FILE_NO_INTERMEDIATE_BUFFERING) ||
        !KbfRead(h, 65536, "non-cached read 64 KiB"))
        goto out;
    /* the same bytes moved by memcpy alone, in 64 KiB pieces through one cache-sized buffer */
    static UCHAR dst[65536];
    n = 0;
    t0 = __rdtsc();
    for (ULONG64 off = 0; off < FILE_BYTES; off += sizeof(dst), n++)
        RtlCopyMemory(dst, KbfBuf, sizeof(dst));
    KbfReport("memcpy", n, __rdtsc() - t0);
    CC_STATISTICS cc;
    IO_FAST_IO_STATISTICS fio;
    CcQueryStatistics(&cc);
    IoQueryFastIoStatistics(&fio);
    DbgPrint("BENCH-INFO cache: %llu paging reads (%llu MiB), %llu read-aheads, %llu paging writes (%llu MiB), "
             "%llu copy reads (%llu all resident); fast I/O reads %llu/%llu, writes %llu/%llu done/tried\n",
             cc.PagingReads, cc.PagingReadBytes >> 20, cc.ReadAheads, cc.PagingWrites, cc.PagingWriteBytes >> 20,
             cc.CopyReads, cc.CopyReadHits, fio.ReadsDone, fio.ReadsTried, fio.WritesDone, fio.WritesTried);
out:
    if (h)
        ZwClose(h);
}
