/* tests/io/boost_tests.c - IoCompleteRequest's PriorityBoost reaches the thread that asked:
 * the completion APC wakes it boosted, and a thread now above the completer runs at once. */
#include "kt_io.h"
#include "../ke/kthread_util.h"

static PIRP KtpHeldIrp;
static NTSTATUS KtpHoldDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    IoMarkIrpPending(Irp);
    KtpHeldIrp = Irp;
    return STATUS_PENDING;
}

static PDEVICE_OBJECT KtpDev;
static volatile LONG KtpDone, KtpPriority;
static VOID KtpRequester(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KEVENT done;
    IO_STATUS_BLOCK iosb;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(0x222000, KtpDev, NULL, 0, NULL, 0, FALSE, &done, &iosb);
    if (irp && IoCallDriver(KtpDev, irp) == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    KtpPriority = KeQueryPriorityThread(KeGetCurrentThread());
    KtpDone = 1;
}

static LONG KtpCompleteWith(CCHAR Boost, LONG *RanBeforeReturn)
{
    KtpHeldIrp = NULL;
    KtpDone = 0;
    KtpPriority = -1;
    PKTHREAD t = KtStartThread(KtpRequester, NULL, 5);
    if (!t)
        return -2;
    LARGE_INTEGER ms = KtMs(2);
    KeDelayExecutionThread(KernelMode, FALSE, &ms); /* it sends the IRP and waits */
    if (!KtpHeldIrp || t->State != Waiting)
        return -3;
    KtpHeldIrp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(KtpHeldIrp, Boost);
    *RanBeforeReturn = KtpDone;
    if (KtJoinThread(t, 1000) != STATUS_SUCCESS)
        return -4;
    return KtpPriority;
}

KTEST(ioboost, priority_boost_of_io_complete_request_reaches_the_requesting_thread)
{
    LONG ran;
    KeSetPriorityThread(KeGetCurrentThread(), 8);
    PDRIVER_OBJECT drv = KtIoCreateDriver(L"\\Driver\\KtBoost", KtpHoldDispatch);
    KT_ASSERT(drv);
    KT_ASSERT((KtpDev = KtIoCreateDeviceFor(drv)) != NULL);
    KT_EQ(KtpCompleteWith(IO_KEYBOARD_INCREMENT, &ran), 5 + IO_KEYBOARD_INCREMENT);
    KT_EQ(ran, 1); /* at 11 it preempted the completer (8) before IoCompleteRequest returned */
    KT_EQ(KtpCompleteWith(IO_NO_INCREMENT, &ran), 5);
    KT_EQ(ran, 0); /* unboosted it waits behind the completer */
    IoDeleteDevice(KtpDev);
}
