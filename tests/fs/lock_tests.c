/* tests/fs/lock_tests.c - two threads on one FAT volume at once: the first opens of a boot race
 * to mount it, then their non-cached writes and creates contend for FAT's volume lock. */
#include "fsutil.h"
#include "../ke/kthread_util.h"

/* The finding (docs/fault-injection.md): both threads' first ZwCreateFile saw the volume
 * unmounted and both sent IRP_MN_MOUNT_VOLUME, so FAT mounted the one disk twice. Each mount
 * kept its own FAT and directory-sector cache: both files got the same clusters (each read the
 * other's data back) and each wrote its stale copy of the root sector (\LOCKA.BIN's entry ended
 * at size 0). The I/O manager now serialises mounts (io/file.c IopLockMounts). This suite must
 * stay the first to touch the disk in its boot, so the two opens really meet an unmounted volume. */
#define KTP_BLOCKS 12
typedef struct { PCWSTR Path; ULONG Seed; NTSTATUS Status; ULONG Mismatches; } KTP_WORKER;
static UCHAR KtpOut[2][4096], KtpIn[2][4096];

static VOID KtpWorker(PVOID Context)
{
    KTP_WORKER *w = Context;
    ULONG i = w->Seed & 1, done;
    HANDLE h;
    w->Status = FsOpen(w->Path, FILE_OVERWRITE_IF, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL);
    if (!NT_SUCCESS(w->Status))
        return;
    for (ULONG b = 0; b < KTP_BLOCKS && NT_SUCCESS(w->Status); b++) {
        FsPattern(KtpOut[i], sizeof(KtpOut[i]), w->Seed * 100 + b);
        w->Status = FsWriteAt(h, (LONGLONG)b * 4096, KtpOut[i], sizeof(KtpOut[i]), &done);
        if (NT_SUCCESS(w->Status))
            w->Status = FsReadAt(h, (LONGLONG)b * 4096, KtpIn[i], sizeof(KtpIn[i]), &done);
        if (NT_SUCCESS(w->Status) && RtlCompareMemory(KtpIn[i], KtpOut[i], sizeof(KtpIn[i])) != sizeof(KtpIn[i]))
            w->Mismatches++;
    }
    ZwClose(h);
}

/* Every block of the file, opened afresh: its entry's size and its data, as the disk has them. */
static ULONG KtpBadBlocks(KTP_WORKER *w, PULONG64 Size)
{
    static UCHAR want[4096], got[4096];
    ULONG bad = 0, done;
    HANDLE h;
    *Size = 0;
    if (!NT_SUCCESS(FsOpen(w->Path, FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL)))
        return KTP_BLOCKS;
    FsSize(h, Size);
    for (ULONG b = 0; b < KTP_BLOCKS; b++) {
        FsPattern(want, sizeof(want), w->Seed * 100 + b);
        if (!NT_SUCCESS(FsReadAt(h, (LONGLONG)b * 4096, got, sizeof(got), &done)) || done != sizeof(got) ||
            RtlCompareMemory(want, got, sizeof(got)) != sizeof(got))
            bad++;
    }
    ZwClose(h);
    return bad;
}

KTEST(fslock, two_threads_opening_an_unmounted_volume_at_once_mount_it_once_and_read_back_exact)
{
    static KTP_WORKER w[2] = { { L"\\LOCKA.BIN", 2, 0, 0 }, { L"\\LOCKB.BIN", 3, 0, 0 } };
    ULONG64 size;
    PKTHREAD a = KtStartThread(KtpWorker, &w[0], 8), b = KtStartThread(KtpWorker, &w[1], 8);
    KT_ASSERT(a && b);
    KT_STATUS(KtJoinThread(a, 20000), STATUS_SUCCESS); /* a thread never handed the lock times out */
    KT_STATUS(KtJoinThread(b, 20000), STATUS_SUCCESS);
    KT_STATUS(w[0].Status, STATUS_SUCCESS);
    KT_STATUS(w[1].Status, STATUS_SUCCESS);
    KT_EQ(w[0].Mismatches, 0);
    KT_EQ(w[1].Mismatches, 0);
    for (ULONG i = 0; i < 2; i++) { /* what a third open finds: each entry's size, no cross-link */
        KT_EQ(KtpBadBlocks(&w[i], &size), 0);
        KT_EQ(size, KTP_BLOCKS * 4096);
    }
}
