/* tests/wdk/csq_tests.c - the cancel-safe-queue sample driven as its test application would,
 * and the remove-lock rules the sample relies on. */
#include "wdkapp.h"
#include "../../drivers/samples/cancelsafe/cancelsafe.h"

static PDRIVER_OBJECT KtpCsq;

static HANDLE KtpOpen(void)
{
    HANDLE h = NULL;
    if (!KtpCsq)
        KtpCsq = KtwLoad(L"\\Driver\\CancelSafe", WdkSample_cancelsafe_DriverEntry);
    if (!KtpCsq || !NT_SUCCESS(KtwOpen(CSAMP_DOS_NAME, &h)))
        return NULL;
    return h;
}

static NTSTATUS KtpCompleteNext(HANDLE h)
{
    IO_STATUS_BLOCK iosb;
    return ZwDeviceIoControlFile(h, NULL, NULL, NULL, &iosb, IOCTL_CSAMP_COMPLETE_NEXT, NULL, 0, NULL, 0);
}

KTEST(wdk_csq, reads_wait_in_the_queue_until_released_in_order)
{
    HANDLE h = KtpOpen();
    static UCHAR b1[16], b2[16];
    static KTW_REQUEST r1, r2;
    KT_ASSERT(h != NULL);
    KtwSendRead(h, &r1, b1, sizeof(b1));
    KtwSendRead(h, &r2, b2, sizeof(b2));
    KT_STATUS(r1.Sent, STATUS_PENDING);
    KT_STATUS(r2.Sent, STATUS_PENDING);
    KT_STATUS(KtwWait(&r1, 5), STATUS_TIMEOUT); /* really waiting */
    KT_STATUS(KtpCompleteNext(h), STATUS_SUCCESS);
    KT_STATUS(KtwWait(&r1, 1000), STATUS_SUCCESS);
    KT_EQ(r1.Iosb.Information, sizeof(b1));
    KT_EQ(b1[0], CSAMP_FILL);
    KT_EQ(KeReadStateEvent(&r2.Event), 0);
    KT_STATUS(KtpCompleteNext(h), STATUS_SUCCESS);
    KT_STATUS(KtwWait(&r2, 1000), STATUS_SUCCESS);
    KT_STATUS(KtpCompleteNext(h), STATUS_NOT_FOUND); /* empty */
    ZwClose(h);
}

KTEST(wdk_csq, cancel_takes_a_queued_read_out_and_completes_it_cancelled)
{
    HANDLE h = KtpOpen();
    static UCHAR b1[8], b2[8];
    static KTW_REQUEST r1, r2;
    KT_ASSERT(h != NULL);
    KtwSendRead(h, &r1, b1, sizeof(b1));
    KtwSendRead(h, &r2, b2, sizeof(b2));
    KT_ASSERT(IoCancelIrp(r1.Irp));
    KT_STATUS(KtwWait(&r1, 1000), STATUS_CANCELLED);
    /* the queue lost exactly that one: the next release completes r2 */
    KT_STATUS(KtpCompleteNext(h), STATUS_SUCCESS);
    KT_STATUS(KtwWait(&r2, 1000), STATUS_SUCCESS);
    KT_STATUS(KtpCompleteNext(h), STATUS_NOT_FOUND);
    ZwClose(h);
}

KTEST(wdk_csq, closing_a_handle_cancels_only_its_own_reads)
{
    HANDLE h = KtpOpen(), other = NULL;
    static UCHAR b1[8], b2[8];
    static KTW_REQUEST mine, theirs;
    KT_ASSERT(h != NULL);
    KT_STATUS(KtwOpen(CSAMP_DOS_NAME, &other), STATUS_SUCCESS);
    KtwSendRead(h, &mine, b1, sizeof(b1));
    KtwSendRead(other, &theirs, b2, sizeof(b2));
    ZwClose(h);
    KT_STATUS(KtwWait(&mine, 0), STATUS_CANCELLED);
    KT_EQ(KeReadStateEvent(&theirs.Event), 0);
    KT_STATUS(KtpCompleteNext(other), STATUS_SUCCESS);
    KT_STATUS(KtwWait(&theirs, 1000), STATUS_SUCCESS);
    ZwClose(other);
}

KTEST(wdk_csq, unload_waits_for_the_remove_lock_and_leaves_nothing)
{
    HANDLE h = KtpOpen();
    KT_ASSERT(h != NULL);
    ZwClose(h);
    KT_STATUS(KtwUnload(KtpCsq), STATUS_SUCCESS);
    KtpCsq = NULL;
    KT_STATUS(KtwOpen(CSAMP_DOS_NAME, &h), STATUS_OBJECT_NAME_NOT_FOUND);
}

/* ---- remove locks themselves ---- */
static IO_REMOVE_LOCK KtpLock;
static volatile BOOLEAN KtpReleased;

static VOID KtpLateReleaser(PVOID Context)
{
    LARGE_INTEGER t = { .QuadPart = -10 * 10000 };
    UNREFERENCED_PARAMETER(Context);
    KeDelayExecutionThread(KernelMode, FALSE, &t);
    KtpReleased = TRUE;
    IoReleaseRemoveLock(&KtpLock, (PVOID)2);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

KTEST(wdk_csq, release_and_wait_waits_for_every_holder_then_acquire_fails_delete_pending)
{
    HANDLE t;
    IoInitializeRemoveLock(&KtpLock, 'kcoL', 0, 0);
    KT_STATUS(IoAcquireRemoveLock(&KtpLock, (PVOID)1), STATUS_SUCCESS);
    KT_STATUS(IoAcquireRemoveLock(&KtpLock, (PVOID)2), STATUS_SUCCESS);
    KtpReleased = FALSE;
    KT_STATUS(PsCreateSystemThread(&t, 0, NULL, NULL, NULL, KtpLateReleaser, NULL), STATUS_SUCCESS);
    ZwClose(t);
    IoReleaseRemoveLockAndWait(&KtpLock, (PVOID)1);
    KT_ASSERT(KtpReleased); /* it returned only after the other holder let go */
    KT_STATUS(IoAcquireRemoveLock(&KtpLock, (PVOID)3), STATUS_DELETE_PENDING);
}

KTEST_BUGCHECK(wdk_csq, remove_lock_release_with_a_tag_never_acquired_is_c4_d5, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    IoInitializeRemoveLock(&KtpLock, 'kcoL', 0, 0);
    IoAcquireRemoveLock(&KtpLock, (PVOID)0x11);
    /* P2 the lock, P3 the releasing tag, P4 reserved */
    KtExpectBugCheck(0xD5, (ULONG_PTR)&KtpLock, 0x22, 0);
    IoReleaseRemoveLock(&KtpLock, (PVOID)0x22);
}

KTEST_BUGCHECK(wdk_csq, remove_lock_release_and_wait_with_a_foreign_tag_is_c4_d6, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    IoInitializeRemoveLock(&KtpLock, 'kcoL', 0, 0);
    IoAcquireRemoveLock(&KtpLock, (PVOID)0x11);
    /* P2 the lock, P3 the tag given, P4 the tag that acquired it */
    KtExpectBugCheck(0xD6, (ULONG_PTR)&KtpLock, 0x33, 0x11);
    IoReleaseRemoveLockAndWait(&KtpLock, (PVOID)0x33);
}
