/* tests/fs/smp_fs_tests.c - the driver stack on two processors: with ramdisk.cpu=1 the disk
 * interrupts processor 1, so completion routines run there while requests come from 0. */
#include "fsutil.h"
#include "../../kernel/ke/ki.h"

NTSTATUS DemoReadFromDisk(PULONG RequesterProcessor, PULONG CompletionProcessor, PKIRQL CompletionIrql);

KTEST_EX(smpfs, completion_routine_runs_at_dispatch_on_the_processor_the_disk_interrupts, 0,
         "smp=2 ramdisk.cpu=1")
{
    ULONG req, done;
    KIRQL irql;
    KT_STATUS(DemoReadFromDisk(&req, &done, &irql), STATUS_SUCCESS);
    KT_EQ(req, 0);
    KT_EQ(done, 1);
    KT_EQ(irql, DISPATCH_LEVEL);
}

KTEST_EX(smpfs, completion_routine_runs_on_the_requesting_processor_by_default, 0, "smp=2")
{
    ULONG req, done;
    KIRQL irql;
    KT_STATUS(DemoReadFromDisk(&req, &done, &irql), STATUS_SUCCESS);
    KT_EQ(done, req);
    KT_EQ(irql, DISPATCH_LEVEL);
}

/* Every byte written through filter -> FAT -> disk while the disk completes on processor 1
 * reads back right, for a file spanning many clusters and for small unaligned pieces. */
KTEST_EX(smpfs, bytes_written_and_read_with_completions_on_another_processor_are_right, 0,
         "smp=2 ramdisk.cpu=1")
{
    static UCHAR out[96 * 1024], in[96 * 1024];
    HANDLE h;
    ULONG n;
    FsPattern(out, sizeof(out), 77);
    KT_STATUS(FsOpen(L"\\SMP.BIN", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS);
    for (ULONG off = 0; off < sizeof(out); off += 12288 + 7) {
        ULONG len = sizeof(out) - off < 12288 + 7 ? sizeof(out) - off : 12288 + 7;
        KT_STATUS(FsWriteAt(h, off, out + off, len, &n), STATUS_SUCCESS);
        KT_EQ(n, len);
    }
    KT_STATUS(FsReadAt(h, 0, in, sizeof(in), &n), STATUS_SUCCESS);
    KT_EQ(n, sizeof(in));
    KT_ASSERT(memcmp(in, out, sizeof(in)) == 0);
    KT_STATUS(FsMarkDelete(h), STATUS_SUCCESS);
    ZwClose(h);
}
