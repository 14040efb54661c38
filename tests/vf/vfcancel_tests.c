/* tests/vf/vfcancel_tests.c - fault=cancel: a Zw caller's pended request is cancelled with a
 * real IoCancelIrp; the driver's cancel routine (or its cancel-safe queue) completes it. */
#include "../io/kt_io.h"
#include "../wdk/wdkapp.h"
#include "../../drivers/samples/cancelsafe/cancelsafe.h"
#include <irqlab/vf.h>

static ULONG64 KtpCancelFaults(void)
{
    ULONG64 calls, faults;
    VfQuerySite(VfSiteCancel, &calls, &faults);
    return faults;
}

/* The kt_io bottom device holds a read with a cancel routine (KtpCancel) and nothing else
 * completes it: only IoCancelIrp can, so a STATUS_CANCELLED read proves the routine ran. */
KTEST(vf, cancel_rule_reaches_the_cancel_routine_and_the_zw_caller_sees_cancelled)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(L"\\Device\\KtVfCancel", 0);
    HANDLE h;
    IO_STATUS_BLOCK iosb = { .Status = STATUS_PENDING };
    static UCHAR buf[32];
    KT_STATUS(KtwOpen(L"\\Device\\KtVfCancel", &h), STATUS_SUCCESS);
    PKT_EXT x = KtExt(d);
    x->Pend = TRUE;
    x->Cancelable = TRUE;
    KT_STATUS(VfConfigure("cancel:major=read,nth=1"), STATUS_SUCCESS);
    NTSTATUS st = ZwReadFile(h, NULL, NULL, NULL, &iosb, buf, sizeof(buf), NULL, NULL);
    ULONG64 faults = KtpCancelFaults();
    VfReset();
    x->Pend = x->Cancelable = FALSE;
    KT_STATUS(st, STATUS_CANCELLED);
    KT_STATUS(iosb.Status, STATUS_CANCELLED);
    KT_EQ(iosb.Information, 0);
    KT_ASSERT(x->Held == NULL); /* the cancel routine took it off the device */
    KT_EQ(x->Reads, 1);
    KT_EQ(faults, 1);
    KT_STATUS(ZwClose(h), STATUS_SUCCESS);
    IoDeleteDevice(d);
}

/* The cancel-safe-queue sample queues reads with IoCsqInsertIrp; IoCancelIrp reaches the
 * queue's cancel routine, which removes the read and hands it to CsampCompleteCanceledIrp. The
 * second read (the rule's times= is 1) stays queued until the sample's own IOCTL releases it. */
KTEST(vf, cancel_rule_on_a_cancel_safe_queue_completes_the_queued_read_as_cancelled)
{
    HANDLE h = NULL;
    static UCHAR b1[16], b2[16];
    static KTW_REQUEST r2;
    IO_STATUS_BLOCK iosb = { .Status = STATUS_PENDING };
    PDRIVER_OBJECT drv = KtwLoad(L"\\Driver\\CancelSafeVf", WdkSample_cancelsafe_DriverEntry);
    KT_ASSERT(drv != NULL);
    KT_STATUS(KtwOpen(CSAMP_DOS_NAME, &h), STATUS_SUCCESS);
    KT_STATUS(VfConfigure("cancel:major=read,times=1"), STATUS_SUCCESS);
    NTSTATUS st = ZwReadFile(h, NULL, NULL, NULL, &iosb, b1, sizeof(b1), NULL, NULL);
    ULONG64 faults = KtpCancelFaults();
    KtwSendRead(h, &r2, b2, sizeof(b2)); /* not through the Zw wait: the rule never sees it */
    VfReset();
    KT_STATUS(st, STATUS_CANCELLED);
    KT_STATUS(iosb.Status, STATUS_CANCELLED);
    KT_EQ(b1[0], 0); /* never filled */
    KT_EQ(faults, 1);
    KT_STATUS(r2.Sent, STATUS_PENDING);
    KT_STATUS(KtwWait(&r2, 5), STATUS_TIMEOUT); /* queued, not cancelled */
    IO_STATUS_BLOCK io2;
    KT_STATUS(ZwDeviceIoControlFile(h, NULL, NULL, NULL, &io2, IOCTL_CSAMP_COMPLETE_NEXT, NULL, 0, NULL, 0),
              STATUS_SUCCESS);
    KT_STATUS(KtwWait(&r2, 1000), STATUS_SUCCESS);
    KT_EQ(b2[0], CSAMP_FILL);
    KT_STATUS(ZwClose(h), STATUS_SUCCESS);
    KT_STATUS(KtwUnload(drv), STATUS_SUCCESS);
}

/* A request in flight whose driver set no cancel routine (here: forced pending, the driver
 * below completed it at once) is only marked: IoCancelIrp returns FALSE and the request ends
 * with the driver's own status, as on Windows. */
KTEST(vf, cancel_of_a_request_without_a_cancel_routine_leaves_its_status)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(L"\\Device\\KtVfCancel2", 0);
    HANDLE h;
    IO_STATUS_BLOCK iosb = { .Status = STATUS_PENDING };
    static UCHAR buf[32];
    KT_STATUS(KtwOpen(L"\\Device\\KtVfCancel2", &h), STATUS_SUCCESS);
    KtExt(d)->FillByte = 0x40;
    /* every request forced pending, only reads cancelled: the IOCTL before it is left alone */
    KT_STATUS(VfConfigure("pending/cancel:major=read"), STATUS_SUCCESS);
    IO_STATUS_BLOCK io2;
    NTSTATUS ioctl = ZwDeviceIoControlFile(h, NULL, NULL, NULL, &io2, 0x222000, NULL, 0, NULL, 0);
    NTSTATUS st = ZwReadFile(h, NULL, NULL, NULL, &iosb, buf, sizeof(buf), NULL, NULL);
    ULONG64 calls, faults;
    VfQuerySite(VfSiteCancel, &calls, &faults);
    VfReset();
    KT_STATUS(ioctl, STATUS_SUCCESS);
    KT_EQ(calls, 2); /* both were in flight when the I/O manager waited */
    KT_STATUS(st, STATUS_SUCCESS);
    KT_EQ(iosb.Information, sizeof(buf));
    KT_EQ(buf[1], 0x41);
    KT_EQ(faults, 1);
    KT_STATUS(ZwClose(h), STATUS_SUCCESS);
    IoDeleteDevice(d);
}
