/* tests/bench/fs_bench.c - the file-system workload of `make bench`: on a 64 MiB FAT16 disk
 * (mkfs.fat -F 16, passed with -initrd) write a 32 MiB file and flush it, read it back with
 * 4 KiB and 64 KiB requests (every read is cold: there is no cache), and memcpy the same. */
#include "../fs/fsutil.h"
#include <arch/x86.h>

#define FILE_BYTES (32u << 20)
static UCHAR KbfBuf[65536];

static VOID KbfBytes(PCSTR Name, ULONG64 Bytes) { DbgPrint("BENCH-BYTES %s %llu\n", Name, Bytes); }

static BOOLEAN KbfRead(HANDLE H, ULONG Chunk, PCSTR Name)
{
    ULONG done, n = 0;
    ULONG64 t0 = __rdtsc();
    for (ULONG64 off = 0; off < FILE_BYTES; off += Chunk, n++)
        if (!NT_SUCCESS(FsReadAt(H, (LONGLONG)off, KbfBuf, Chunk, &done)) || done != Chunk)
            return FALSE;
    KtBenchReport(Name, n, __rdtsc() - t0);
    KbfBytes(Name, FILE_BYTES);
    return TRUE;
}

KBENCH_DEFINE(fs_workload)
{
    GET_LENGTH_INFORMATION len;
    HANDLE h;
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
    FsFlush(h);
    KtBenchReport("fs write 32 MiB (64 KiB requests) + flush", n, __rdtsc() - t0);
    KbfBytes("fs write 32 MiB (64 KiB requests) + flush", FILE_BYTES);
    if (!KbfRead(h, 4096, "fs read 32 MiB (4 KiB requests)") || !KbfRead(h, 65536, "fs read 32 MiB (64 KiB requests)"))
        goto out;
    /* the same bytes moved by memcpy alone, in 64 KiB pieces through one cache-sized buffer */
    static UCHAR dst[65536];
    n = 0;
    t0 = __rdtsc();
    for (ULONG64 off = 0; off < FILE_BYTES; off += sizeof(dst), n++)
        RtlCopyMemory(dst, KbfBuf, sizeof(dst));
    KtBenchReport("memcpy 32 MiB (64 KiB pieces)", n, __rdtsc() - t0);
    KbfBytes("memcpy 32 MiB (64 KiB pieces)", FILE_BYTES);
out:
    ZwClose(h);
}
