/* tests/wdk/event_tests.c - the sample event driver, driven as its test application would:
 * a pended IOCTL completes from the driver's timer DPC; cancel and close cancel it. */
#include "wdkapp.h"
#include "../../drivers/samples/event/event.h"

static PDRIVER_OBJECT KtpEvent;

static HANDLE KtpOpen(void)
{
    HANDLE h = NULL;
    if (!KtpEvent)
        KtpEvent = KtwLoad(L"\\Driver\\Event", WdkSample_event_DriverEntry);
    if (!KtpEvent || !NT_SUCCESS(KtwOpen(EVENT_DOS_NAME, &h)))
        return NULL;
    return h;
}

static ULONG64 KtpRecordsOutstanding(void)
{
    POOL_TAG_USAGE u;
    ExQueryPoolTagUsage('tvE', ~0u, &u);
    return u.Outstanding;
}

KTEST(wdk_event, pended_ioctl_completes_when_the_drivers_timer_fires)
{
    HANDLE h = KtpOpen();
    REGISTER_EVENT reg = { .DueTime.QuadPart = -20 * 10000 }; /* 20 ms */
    IO_STATUS_BLOCK iosb;
    KT_ASSERT(h != NULL);
    ULONG64 t0 = KeQueryInterruptTime();
    /* DeviceIoControl without OVERLAPPED: returns once the DPC completed the IRP */
    KT_STATUS(ZwDeviceIoControlFile(h, NULL, NULL, NULL, &iosb, IOCTL_REGISTER_EVENT, &reg, sizeof(reg), NULL, 0),
              STATUS_SUCCESS);
    KT_ASSERT(KeQueryInterruptTime() - t0 >= 20 * 10000);
    KT_EQ(KtpRecordsOutstanding(), 0);
    ZwClose(h);
}

KTEST(wdk_event, overlapped_requests_complete_in_due_time_order)
{
    HANDLE h = KtpOpen();
    REGISTER_EVENT late = { .DueTime.QuadPart = -40 * 10000 }, early = { .DueTime.QuadPart = -10 * 10000 };
    static KTW_REQUEST a, b;
    KT_ASSERT(h != NULL);
    KtwSendIoctl(h, &a, IOCTL_REGISTER_EVENT, &late, sizeof(late), NULL, 0);
    KtwSendIoctl(h, &b, IOCTL_REGISTER_EVENT, &early, sizeof(early), NULL, 0);
    KT_STATUS(a.Sent, STATUS_PENDING);
    KT_STATUS(b.Sent, STATUS_PENDING);
    KT_EQ(KtpRecordsOutstanding(), 2);
    KT_STATUS(KtwWait(&b, 1000), STATUS_SUCCESS);
    KT_EQ(KeReadStateEvent(&a.Event), 0); /* the later one still waits */
    KT_STATUS(KtwWait(&a, 1000), STATUS_SUCCESS);
    KT_EQ(KtpRecordsOutstanding(), 0);
    ZwClose(h);
}

KTEST(wdk_event, cancel_completes_the_pended_irp_cancelled_and_stops_its_timer)
{
    HANDLE h = KtpOpen();
    REGISTER_EVENT reg = { .DueTime.QuadPart = -30 * 10000 };
    static KTW_REQUEST r;
    KT_ASSERT(h != NULL);
    KtwSendIoctl(h, &r, IOCTL_REGISTER_EVENT, &reg, sizeof(reg), NULL, 0);
    KT_STATUS(r.Sent, STATUS_PENDING);
    KT_ASSERT(IoCancelIrp(r.Irp));
    KT_STATUS(KtwWait(&r, 1000), STATUS_CANCELLED);
    KT_EQ(KtpRecordsOutstanding(), 0);
    /* past the due time nothing fires on the freed record (special pool would catch it) */
    LARGE_INTEGER wait = { .QuadPart = -50 * 10000 };
    KeDelayExecutionThread(KernelMode, FALSE, &wait);
    ZwClose(h);
}

KTEST(wdk_event, closing_the_handle_cancels_what_it_left_pending)
{
    HANDLE h = KtpOpen(), other = NULL;
    REGISTER_EVENT reg = { .DueTime.QuadPart = -10 * 1000 * 10000 }; /* 10 s: only the close ends it */
    REGISTER_EVENT soon = { .DueTime.QuadPart = -20 * 10000 };
    static KTW_REQUEST mine, theirs;
    KT_ASSERT(h != NULL);
    KT_STATUS(KtwOpen(EVENT_DOS_NAME, &other), STATUS_SUCCESS);
    KtwSendIoctl(h, &mine, IOCTL_REGISTER_EVENT, &reg, sizeof(reg), NULL, 0);
    KtwSendIoctl(other, &theirs, IOCTL_REGISTER_EVENT, &soon, sizeof(soon), NULL, 0);
    KT_STATUS(mine.Sent, STATUS_PENDING);
    ZwClose(h); /* IRP_MJ_CLEANUP: the driver cancels this handle's IRP only */
    KT_STATUS(KtwWait(&mine, 0), STATUS_CANCELLED);
    KT_STATUS(KtwWait(&theirs, 1000), STATUS_SUCCESS);
    KT_EQ(KtpRecordsOutstanding(), 0);
    ZwClose(other);
}

KTEST(wdk_event, unload_under_verifier_leaves_no_device_and_no_pool)
{
    HANDLE h = KtpOpen();
    KT_ASSERT(h != NULL);
    ZwClose(h);
    KT_STATUS(KtwUnload(KtpEvent), STATUS_SUCCESS);
    KtpEvent = NULL;
    KT_STATUS(KtwOpen(EVENT_DOS_NAME, &h), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(KtpRecordsOutstanding(), 0);
}
