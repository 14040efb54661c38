/* tests/fs/smp_fs_tests.c - the driver stack on two processors: with ramdisk.cpu=1 the disk
 * interrupts processor 1, so completion routines run there while requests come from 0. */
#include "fsutil.h"
#include <ntifs.h>
#include "../../kernel/ke/ki.h"
#include "../ke/kthread_util.h"
#include "../ktspin.h"

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

/* Two threads, bound to processors 0 and 1, each write and read back their own file through
 * filter -> FAT -> disk at the same time (one non-cached, one through the cache), and every
 * byte is right, seen by each thread and again by the test afterwards. Both files are created
 * before the threads start: a create of a NEW file interleaved with the other thread's writes
 * is an open FAT finding (a lost directory-entry update, w12c; tests/host-wip/fslock_tests.c.txt),
 * not what this test is about. */
#define KTP_FS_BLOCKS 16
typedef struct _KTP_FS_WORKER {
    PCWSTR Path;
    ULONG Seed, Processor, Options;
    NTSTATUS Status;
    ULONG Mismatches;
    KAFFINITY Seen;
} KTP_FS_WORKER;
static UCHAR KtpFsOut[2][4096], KtpFsIn[2][4096];
static volatile LONG KtpFsArrived;

static VOID KtpFsWorker(PVOID Context)
{
    KTP_FS_WORKER *w = Context;
    ULONG i = w->Processor, done;
    HANDLE h;
    KeSetSystemAffinityThreadEx((KAFFINITY)1 << w->Processor);
    __atomic_add_fetch(&KtpFsArrived, 1, __ATOMIC_SEQ_CST);
    KT_SPIN_UNTIL(KtpFsArrived == 2, 5000); /* start together, one on each processor */
    w->Status = FsOpen(w->Path, FILE_OPEN, w->Options, &h, NULL);
    BOOLEAN opened = NT_SUCCESS(w->Status);
    for (ULONG b = 0; b < KTP_FS_BLOCKS && NT_SUCCESS(w->Status); b++) {
        FsPattern(KtpFsOut[i], sizeof(KtpFsOut[i]), w->Seed * 100 + b);
        w->Status = FsWriteAt(h, (LONGLONG)b * 4096, KtpFsOut[i], sizeof(KtpFsOut[i]), &done);
        if (NT_SUCCESS(w->Status))
            w->Status = FsReadAt(h, (LONGLONG)b * 4096, KtpFsIn[i], sizeof(KtpFsIn[i]), &done);
        if (NT_SUCCESS(w->Status) && memcmp(KtpFsIn[i], KtpFsOut[i], sizeof(KtpFsIn[i])) != 0)
            w->Mismatches++;
        w->Seen |= (KAFFINITY)1 << KeGetCurrentProcessorNumber();
    }
    if (opened)
        ZwClose(h);
    KeRevertToUserAffinityThreadEx(0);
}

KTEST_EX(smpfs, two_threads_on_two_processors_keep_every_byte_of_their_files, 0, "smp=2")
{
    static KTP_FS_WORKER w[2] = { { L"\\SMPA.BIN", 2, 0, FILE_NO_INTERMEDIATE_BUFFERING, 0, 0, 0 },
                                  { L"\\SMPB.BIN", 3, 1, 0, 0, 0, 0 } };
    static UCHAR want[4096], got[4096];
    HANDLE h;
    ULONG done;
    for (ULONG i = 0; i < 2; i++) {
        KT_STATUS(FsOpen(w[i].Path, FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS);
        ZwClose(h);
    }
    KtpFsArrived = 0;
    PKTHREAD a = KtStartThread(KtpFsWorker, &w[0], 8), b = KtStartThread(KtpFsWorker, &w[1], 8);
    KT_ASSERT(a && b);
    KT_STATUS(KtJoinThread(a, 60000), STATUS_SUCCESS);
    KT_STATUS(KtJoinThread(b, 60000), STATUS_SUCCESS);
    for (ULONG i = 0; i < 2; i++) {
        KT_STATUS(w[i].Status, STATUS_SUCCESS);
        KT_EQ(w[i].Mismatches, 0);
        KT_EQ(w[i].Seen, (KAFFINITY)1 << w[i].Processor); /* it really ran there */
        ULONG64 size;
        KT_STATUS(FsOpen(w[i].Path, FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
        KT_STATUS(FsSize(h, &size), STATUS_SUCCESS);
        KT_EQ(size, KTP_FS_BLOCKS * 4096ULL);
        for (ULONG blk = 0; blk < KTP_FS_BLOCKS; blk++) { /* from the disk now, not the threads' buffers */
            FsPattern(want, sizeof(want), w[i].Seed * 100 + blk);
            KT_STATUS(FsReadAt(h, (LONGLONG)blk * 4096, got, sizeof(got), &done), STATUS_SUCCESS);
            KT_EQ(done, sizeof(got));
            KT_ASSERT(memcmp(got, want, sizeof(got)) == 0);
        }
        KT_STATUS(FsMarkDelete(h), STATUS_SUCCESS);
        ZwClose(h);
    }
}

/* Two cached readers, one on each processor, with room for two views in all (ccwslimit=128
 * pages): almost every read of one reclaims the view the other may be copying out of; and the
 * test thread meanwhile rewrites the first file's bytes (the same bytes) through a non-cached
 * handle, which flushes and purges its views under the readers. The cache manager copies with
 * its lock released and the view pinned, so a view leaving the cache keeps its memory until
 * the copy is done: every byte read is right. */
#define KTP_PIN_VIEWS 4
#define KTP_PIN_CHUNK 65536u
#define KTP_PIN_PASSES 6
typedef struct _KTP_PIN_READER {
    PCWSTR Path;
    ULONG Seed, Processor;
    NTSTATUS Status;
    ULONG Reads, Mismatches;
    UCHAR Want[KTP_PIN_CHUNK], Got[KTP_PIN_CHUNK];
} KTP_PIN_READER;
static KTP_PIN_READER KtpPin[2];
static volatile LONG KtpPinDone;

static VOID KtpPinReader(PVOID Context)
{
    KTP_PIN_READER *r = Context;
    HANDLE h;
    ULONG done;
    KeSetSystemAffinityThreadEx((KAFFINITY)1 << r->Processor);
    __atomic_add_fetch(&KtpFsArrived, 1, __ATOMIC_SEQ_CST);
    KT_SPIN_UNTIL(KtpFsArrived == 2, 5000);
    r->Status = FsOpen(r->Path, FILE_OPEN, 0, &h, NULL);
    BOOLEAN opened = NT_SUCCESS(r->Status);
    for (ULONG p = 0; p < KTP_PIN_PASSES && NT_SUCCESS(r->Status); p++)
        for (ULONG c = 0; c < KTP_PIN_VIEWS * (CC_VIEW_SIZE / KTP_PIN_CHUNK) && NT_SUCCESS(r->Status); c++) {
            FsPattern(r->Want, KTP_PIN_CHUNK, r->Seed * 1000 + c);
            r->Status = FsReadAt(h, (LONGLONG)c * KTP_PIN_CHUNK, r->Got, KTP_PIN_CHUNK, &done);
            r->Reads++;
            if (NT_SUCCESS(r->Status) && (done != KTP_PIN_CHUNK || memcmp(r->Got, r->Want, KTP_PIN_CHUNK) != 0))
                r->Mismatches++;
        }
    if (opened)
        ZwClose(h);
    __atomic_add_fetch(&KtpPinDone, 1, __ATOMIC_SEQ_CST);
    KeRevertToUserAffinityThreadEx(0);
}

KTEST_EX(smpfs, cached_readers_on_two_processors_under_eviction_read_every_byte_right, 0,
         "smp=2 ccwslimit=128")
{
    static const PCWSTR paths[2] = { L"\\PINA.BIN", L"\\PINB.BIN" };
    CC_STATISTICS s0, s1;
    HANDLE h;
    ULONG done;
    for (ULONG i = 0; i < 2; i++) {
        KtpPin[i] = (KTP_PIN_READER){ .Path = paths[i], .Seed = 7 + i, .Processor = i };
        KT_STATUS(FsOpen(paths[i], FILE_OVERWRITE_IF, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
        for (ULONG c = 0; c < KTP_PIN_VIEWS * (CC_VIEW_SIZE / KTP_PIN_CHUNK); c++) {
            FsPattern(KtpPin[i].Want, KTP_PIN_CHUNK, KtpPin[i].Seed * 1000 + c);
            KT_STATUS(FsWriteAt(h, (LONGLONG)c * KTP_PIN_CHUNK, KtpPin[i].Want, KTP_PIN_CHUNK, &done), STATUS_SUCCESS);
        }
        ZwClose(h);
    }
    CcQueryStatistics(&s0);
    KtpFsArrived = KtpPinDone = 0;
    PKTHREAD a = KtStartThread(KtpPinReader, &KtpPin[0], 8), b = KtStartThread(KtpPinReader, &KtpPin[1], 8);
    KT_ASSERT(a && b);
    static UCHAR same[KTP_PIN_CHUNK];
    ULONG purgingWrites = 0;
    KT_STATUS(FsOpen(paths[0], FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
    for (ULONG c = 0; __atomic_load_n(&KtpPinDone, __ATOMIC_SEQ_CST) < 2; c = (c + 1) % (KTP_PIN_VIEWS * 4)) {
        FsPattern(same, KTP_PIN_CHUNK, KtpPin[0].Seed * 1000 + c);
        KT_STATUS(FsWriteAt(h, (LONGLONG)c * KTP_PIN_CHUNK, same, KTP_PIN_CHUNK, &done), STATUS_SUCCESS);
        purgingWrites++;
    }
    ZwClose(h);
    DbgPrint("# %u purging non-cached writes while the readers ran\n", purgingWrites);
    KT_ASSERT(purgingWrites > 0);
    KT_STATUS(KtJoinThread(a, 120000), STATUS_SUCCESS);
    KT_STATUS(KtJoinThread(b, 120000), STATUS_SUCCESS);
    CcQueryStatistics(&s1);
    for (ULONG i = 0; i < 2; i++) {
        KT_STATUS(KtpPin[i].Status, STATUS_SUCCESS);
        KT_EQ(KtpPin[i].Reads, KTP_PIN_PASSES * KTP_PIN_VIEWS * (CC_VIEW_SIZE / KTP_PIN_CHUNK));
        KT_EQ(KtpPin[i].Mismatches, 0);
    }
    DbgPrint("# %llu clean evictions while the readers ran\n", s1.CleanEvictions - s0.CleanEvictions);
    KT_ASSERT(s1.CleanEvictions - s0.CleanEvictions >= KTP_PIN_PASSES * KTP_PIN_VIEWS); /* the cache really churned */
    KT_EQ(s1.ResidentViews <= 2, TRUE);
    for (ULONG i = 0; i < 2; i++) {
        KT_STATUS(FsOpen(paths[i], FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
        KT_STATUS(FsMarkDelete(h), STATUS_SUCCESS);
        ZwClose(h);
    }
}
