/* tests/wdk/startio_tests.c - the StartIo sample driven as its test application would (reads
 * in order, cancel of a queued packet), and device queues themselves. */
#include "wdkapp.h"
#include "../../drivers/samples/startio/startio.h"

static PDRIVER_OBJECT KtpSio;

static HANDLE KtpOpen(void)
{
    HANDLE h = NULL;
    if (!KtpSio)
        KtpSio = KtwLoad(L"\\Driver\\StartIo", WdkSample_startio_DriverEntry);
    if (!KtpSio || !NT_SUCCESS(KtwOpen(STARTIO_DOS_NAME, &h)))
        return NULL;
    return h;
}

KTEST(wdk_startio, reads_run_one_at_a_time_and_complete_in_order)
{
    HANDLE h = KtpOpen();
    static ULONG seq[3];
    static KTW_REQUEST r[3];
    KT_ASSERT(h != NULL);
    ULONG64 t0 = KeQueryInterruptTime();
    for (ULONG i = 0; i < 3; i++) {
        KtwSendRead(h, &r[i], &seq[i], sizeof(ULONG));
        KT_STATUS(r[i].Sent, STATUS_PENDING);
    }
    for (ULONG i = 0; i < 3; i++)
        KT_STATUS(KtwWait(&r[i], 1000), STATUS_SUCCESS);
    KT_EQ(seq[1], seq[0] + 1);
    KT_EQ(seq[2], seq[1] + 1);
    /* one transfer at a time: three of them take at least three transfer times */
    KT_ASSERT(KeQueryInterruptTime() - t0 >= 3ULL * -STARTIO_TRANSFER_TIME);
    ZwClose(h);
}

KTEST(wdk_startio, cancel_of_a_queued_packet_completes_it_and_the_rest_go_on)
{
    HANDLE h = KtpOpen();
    static ULONG seq[3];
    static KTW_REQUEST r[3];
    KT_ASSERT(h != NULL);
    for (ULONG i = 0; i < 3; i++)
        KtwSendRead(h, &r[i], &seq[i], sizeof(ULONG));
    KT_ASSERT(IoCancelIrp(r[1].Irp)); /* queued behind r[0], which is on the "hardware" */
    KT_STATUS(KtwWait(&r[1], 0), STATUS_CANCELLED);
    KT_STATUS(KtwWait(&r[0], 1000), STATUS_SUCCESS);
    KT_STATUS(KtwWait(&r[2], 1000), STATUS_SUCCESS);
    KT_EQ(seq[2], seq[0] + 1); /* the cancelled one never reached StartIo */
    /* the current packet is not cancelable while its transfer runs */
    KtwSendRead(h, &r[0], &seq[0], sizeof(ULONG));
    KT_ASSERT(!IoCancelIrp(r[0].Irp));
    KT_STATUS(KtwWait(&r[0], 1000), STATUS_SUCCESS);
    ZwClose(h);
}

KTEST(wdk_startio, unload_removes_the_device)
{
    HANDLE h = KtpOpen();
    KT_ASSERT(h != NULL);
    ZwClose(h);
    KT_STATUS(KtwUnload(KtpSio), STATUS_SUCCESS);
    KtpSio = NULL;
    KT_STATUS(KtwOpen(STARTIO_DOS_NAME, &h), STATUS_OBJECT_NAME_NOT_FOUND);
}

/* ---- device queues ---- */
typedef struct { KDEVICE_QUEUE_ENTRY Entry; ULONG Id; } KTP_ITEM;

KTEST(wdk_startio, device_queue_busy_rule_and_key_order)
{
    static KDEVICE_QUEUE q;
    static KTP_ITEM it[4] = { { .Id = 0 }, { .Id = 1 }, { .Id = 2 }, { .Id = 3 } };
    KIRQL old;
    KeInitializeDeviceQueue(&q);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    BOOLEAN first = KeInsertDeviceQueue(&q, &it[0].Entry); /* idle: not queued, now busy */
    BOOLEAN k5 = KeInsertByKeyDeviceQueue(&q, &it[1].Entry, 5);
    BOOLEAN k2 = KeInsertByKeyDeviceQueue(&q, &it[2].Entry, 2);
    BOOLEAN k5b = KeInsertByKeyDeviceQueue(&q, &it[3].Entry, 5);
    BOOLEAN busy = q.Busy;
    PKDEVICE_QUEUE_ENTRY e1 = KeRemoveDeviceQueue(&q);
    BOOLEAN gone = KeRemoveEntryDeviceQueue(&q, &it[3].Entry);
    BOOLEAN again = KeRemoveEntryDeviceQueue(&q, &it[3].Entry);
    PKDEVICE_QUEUE_ENTRY e2 = KeRemoveDeviceQueue(&q);
    PKDEVICE_QUEUE_ENTRY e3 = KeRemoveDeviceQueue(&q); /* empty: the queue goes idle */
    BOOLEAN idle = !q.Busy;
    KeLowerIrql(old);
    KT_EQ(first, FALSE);
    KT_EQ(k5 && k2 && k5b, TRUE);
    KT_EQ(busy, TRUE);
    KT_EQ(CONTAINING_RECORD(e1, KTP_ITEM, Entry)->Id, 2); /* key 2 sorts first */
    KT_EQ(gone, TRUE);
    KT_EQ(again, FALSE);
    KT_EQ(CONTAINING_RECORD(e2, KTP_ITEM, Entry)->Id, 1);
    KT_ASSERT(e3 == NULL);
    KT_EQ(idle, TRUE);
}

KTEST_BUGCHECK(wdk_startio, removing_from_an_idle_device_queue_is_device_queue_not_busy, DEVICE_QUEUE_NOT_BUSY)
{
    static KDEVICE_QUEUE q;
    KIRQL old;
    KeInitializeDeviceQueue(&q);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KtExpectBugCheck((ULONG_PTR)&q, 0, 0, 0);
    KeRemoveDeviceQueue(&q);
}

KTEST_BUGCHECK(wdk_startio, insert_device_queue_at_passive_level_is_rule_irql_dispatch, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static KDEVICE_QUEUE q;
    static KDEVICE_QUEUE_ENTRY e;
    KeInitializeDeviceQueue(&q);
    KtExpectBugCheck(0x00020003, (ULONG_PTR)VfLookupDdiRule(0x00020003)->Condition, (ULONG_PTR)&VfDdiViolation, 0);
    KeInsertDeviceQueue(&q, &e);
}
