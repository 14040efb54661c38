/* tests/fs/volume_lock_tests.c - FAT's volume lock under contention: a second thread's request really
 * waits while another thread holds the lock, and gets it, with every byte right, at release. */
#include "fsutil.h"
#include <ntifs.h>
#include "../../drivers/fat/fsd.h"
#include "../../kernel/ke/ki.h"
#include "../../kernel/ke/kthread.h"

#define LT_BYTES (64u << 10)
static UCHAR LtData[LT_BYTES], LtBack[LT_BYTES];

typedef struct _LT_WORK {
    HANDLE File;
    volatile LONG Done;
    NTSTATUS Write, Read;
    ULONG Written, ReadBack;
} LT_WORK;

/* The contending thread: a 64 KiB write and its read-back, each a request that takes the lock. */
static VOID LtWorker(PVOID Context)
{
    LT_WORK *w = Context;
    w->Write = FsWriteAt(w->File, 0, LtData, LT_BYTES, &w->Written);
    w->Read = FsReadAt(w->File, 0, LtBack, LT_BYTES, &w->ReadBack);
    InterlockedExchange(&w->Done, 1);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

KTEST(fatlock, request_waits_for_the_volume_lock_another_thread_holds_and_gets_it_at_release)
{
    LT_WORK w = { 0 };
    HANDLE th;
    PKTHREAD t;
    FsPattern(LtData, LT_BYTES, 77);
    RtlZeroMemory(LtBack, LT_BYTES);
    KT_STATUS(FsOpen(L"\\LOCKWAIT.BIN", FILE_OVERWRITE_IF, 0, &w.File, NULL), STATUS_SUCCESS);
    PFSD_VCB vcb = FsMountedVcb();
    KT_ASSERT(vcb != NULL);
    KT_EQ(vcb->LockCount, 1); /* free */
    FatFsdLock(vcb);          /* this thread holds it, as a request in FAT would */
    KT_STATUS(PsCreateSystemThread(&th, 0, NULL, NULL, NULL, LtWorker, &w), STATUS_SUCCESS);
    KT_STATUS(ObReferenceObjectByHandle(th, 0, *PsThreadType, KernelMode, (PVOID *)&t, NULL), STATUS_SUCCESS);
    /* Let the worker run (virtual time) until it blocks on the lock. */
    LARGE_INTEGER tick = { .QuadPart = -10000 }; /* 1 ms */
    for (ULONG i = 0; i < 200 && vcb->LockCount >= 0; i++)
        KeDelayExecutionThread(KernelMode, FALSE, &tick);
    LONG count = vcb->LockCount;
    KTHREAD_STATE state = t->State;
    LONG early = w.Done;
    FatFsdUnlock(vcb); /* the waiter gets the lock now */
    KT_EQ(count, -1);         /* held, one waiter: its decrement went below zero */
    KT_EQ(state, Waiting);    /* ...and it sleeps in the wait, not spinning or done */
    KT_EQ(early, 0);
    LARGE_INTEGER to = { .QuadPart = -10000LL * 5000 };
    KT_STATUS(KeWaitForSingleObject(t, Executive, KernelMode, FALSE, &to), STATUS_SUCCESS);
    KT_EQ(w.Done, 1);
    KT_STATUS(w.Write, STATUS_SUCCESS);
    KT_STATUS(w.Read, STATUS_SUCCESS);
    KT_EQ(w.Written, LT_BYTES);
    KT_EQ(w.ReadBack, LT_BYTES);
    KT_EQ(RtlCompareMemory(LtBack, LtData, LT_BYTES), LT_BYTES); /* every byte right */
    KT_EQ(vcb->LockCount, 1); /* free again */
    ObDereferenceObject(t);
    ZwClose(th);
    /* and from a fresh, non-cached handle: the bytes reached the disk through FAT */
    ZwClose(w.File);
    HANDLE nc;
    ULONG done;
    RtlZeroMemory(LtBack, LT_BYTES);
    KT_STATUS(FsOpen(L"\\LOCKWAIT.BIN", FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &nc, NULL), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(nc, 0, LtBack, LT_BYTES, &done), STATUS_SUCCESS);
    KT_EQ(done, LT_BYTES);
    KT_EQ(RtlCompareMemory(LtBack, LtData, LT_BYTES), LT_BYTES);
    ZwClose(nc);
}
