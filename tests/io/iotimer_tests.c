/* tests/io/iotimer_tests.c - IoInitializeTimer / IoStartTimer / IoStopTimer: the routine runs
 * once a second of (virtual) time at DISPATCH_LEVEL while started, never after a stop or
 * after the device is deleted, and its memory goes with the device. */
#include "kt_io.h"
#include "../ke/kthread_util.h"

static volatile LONG KtpTicks;
static volatile KIRQL KtpTickIrql;
static PVOID volatile KtpTickContext;
static PDEVICE_OBJECT volatile KtpTickDevice;

static VOID KtpIoTimer(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    KtpTickIrql = KeGetCurrentIrql();
    KtpTickContext = Context;
    KtpTickDevice = DeviceObject;
    __atomic_add_fetch(&KtpTicks, 1, __ATOMIC_SEQ_CST);
}

static VOID KtpSleep(LONG Ms)
{
    LARGE_INTEGER d = KtMs(Ms);
    KT_STATUS(KeDelayExecutionThread(KernelMode, FALSE, &d), STATUS_SUCCESS);
}

KTEST(iotimer, routine_runs_once_a_second_at_dispatch_while_started)
{
    PDEVICE_OBJECT dev = KtIoCreateDevice(L"\\Device\\KtIoTimer", 0);
    KT_ASSERT(dev);
    KtpTicks = 0;
    KT_STATUS(IoInitializeTimer(dev, KtpIoTimer, (PVOID)0x1234), STATUS_SUCCESS);
    KtpSleep(2500);
    KT_EQ(KtpTicks, 0); /* initialized, not started: never called */
    IoStartTimer(dev);
    KtpSleep(3500);
    /* the I/O manager's clock ticks each second on its own phase: 3 or 4 calls in 3.5 s */
    KT_ASSERT(KtpTicks >= 3 && KtpTicks <= 4);
    KT_EQ(KtpTickIrql, DISPATCH_LEVEL);
    KT_EQ(KtpTickContext, (PVOID)0x1234);
    KT_EQ(KtpTickDevice, dev);
    IoStopTimer(dev);
    LONG stopped = KtpTicks;
    KtpSleep(2500);
    KT_EQ(KtpTicks, stopped); /* no call after IoStopTimer */
    IoStartTimer(dev);
    KtpSleep(1500);
    KT_ASSERT(KtpTicks > stopped); /* started again */
    IoDeleteDevice(dev);
    LONG deleted = KtpTicks;
    KtpSleep(2500);
    KT_EQ(KtpTicks, deleted); /* the timer went with its device */
}

KTEST(iotimer, the_timer_is_freed_with_its_device)
{
    POOL_TAG_USAGE before, after;
    ExQueryPoolTagUsage('mTOI', ~0u, &before);
    PDEVICE_OBJECT dev = KtIoCreateDevice(L"\\Device\\KtIoTimer2", 0);
    KT_ASSERT(dev);
    KT_STATUS(IoInitializeTimer(dev, KtpIoTimer, NULL), STATUS_SUCCESS);
    KT_ASSERT(dev->Timer != NULL);
    KT_STATUS(IoInitializeTimer(dev, KtpIoTimer, (PVOID)1), STATUS_SUCCESS); /* again: same timer */
    IoStartTimer(dev);
    IoDeleteDevice(dev);
    ExQueryPoolTagUsage('mTOI', ~0u, &after);
    KT_EQ(after.Allocations, before.Allocations + 1); /* this device's timer, */
    KT_EQ(after.Outstanding, before.Outstanding);      /* freed with it */
}
