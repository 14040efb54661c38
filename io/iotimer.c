/* io/iotimer.c - IoTimer routines: a device's timer routine, called once a second at
 * DISPATCH_LEVEL from one I/O manager DPC; its clock runs only while some timer is started. */
#include "iop.h"

#define IOP_TIMER_TAG 'mTOI'

typedef struct _IO_TIMER {
    LIST_ENTRY Link;
    PDEVICE_OBJECT DeviceObject;
    PIO_TIMER_ROUTINE Routine;
    PVOID Context;
    volatile LONG Active;
} IO_TIMER;

static LIST_ENTRY IopTimers = { &IopTimers, &IopTimers };
static KSPIN_LOCK IopTimerLock;
static KTIMER IopTimerClock;
static KDPC IopTimerDpc;
static volatile LONG IopTimerClockReady, IopActiveTimers;

static VOID IopArmTimerClock(void)
{
    LARGE_INTEGER second = { .QuadPart = -10000000LL };
    KeSetTimer(&IopTimerClock, second, &IopTimerDpc);
}

/* DISPATCH_LEVEL, once a second while a timer is started: every started timer's routine, with
 * the list locked, so a device being deleted waits until its routine has returned. The clock
 * is re-armed only while one is started, so an idle I/O manager sets no timer. */
static VOID IopTimerTick(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    KeAcquireSpinLockAtDpcLevel(&IopTimerLock);
    for (PLIST_ENTRY e = IopTimers.Flink; e != &IopTimers; e = e->Flink) {
        IO_TIMER *t = CONTAINING_RECORD(e, IO_TIMER, Link);
        if (__atomic_load_n(&t->Active, __ATOMIC_ACQUIRE))
            t->Routine(t->DeviceObject, t->Context);
    }
    KeReleaseSpinLockFromDpcLevel(&IopTimerLock);
    if (__atomic_load_n(&IopActiveTimers, __ATOMIC_ACQUIRE))
        IopArmTimerClock();
}

/* PASSIVE_LEVEL. Sets up DeviceObject's timer, stopped; a device has at most one, and a second
 * call only changes its routine and context. */
NTSTATUS IoInitializeTimer(PDEVICE_OBJECT DeviceObject, PIO_TIMER_ROUTINE TimerRoutine, PVOID Context)
{
    KIRQL old;
    if (!DeviceObject->Timer) {
        IO_TIMER *t = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(IO_TIMER), IOP_TIMER_TAG);
        if (!t)
            return STATUS_INSUFFICIENT_RESOURCES;
        RtlZeroMemory(t, sizeof(*t));
        t->DeviceObject = DeviceObject;
        t->Routine = TimerRoutine;
        t->Context = Context;
        if (!__atomic_exchange_n(&IopTimerClockReady, 1, __ATOMIC_SEQ_CST)) {
            KeInitializeSpinLock(&IopTimerLock);
            KeInitializeDpc(&IopTimerDpc, IopTimerTick, NULL);
            KeInitializeTimerEx(&IopTimerClock, NotificationTimer);
        }
        KeAcquireSpinLock(&IopTimerLock, &old);
        InsertTailList(&IopTimers, &t->Link);
        DeviceObject->Timer = t;
        KeReleaseSpinLock(&IopTimerLock, old);
        return STATUS_SUCCESS;
    }
    KeAcquireSpinLock(&IopTimerLock, &old);
    DeviceObject->Timer->Routine = TimerRoutine;
    DeviceObject->Timer->Context = Context;
    KeReleaseSpinLock(&IopTimerLock, old);
    return STATUS_SUCCESS;
}

/* IRQL <= DISPATCH_LEVEL (a timer routine may call it). The routine is called from the next
 * second on; starting a started timer does nothing. */
VOID IoStartTimer(PDEVICE_OBJECT DeviceObject)
{
    IO_TIMER *t = DeviceObject->Timer;
    if (t && !__atomic_exchange_n(&t->Active, 1, __ATOMIC_SEQ_CST) &&
        __atomic_add_fetch(&IopActiveTimers, 1, __ATOMIC_SEQ_CST) == 1)
        IopArmTimerClock();
}

/* IRQL <= DISPATCH_LEVEL. No call begins after it returns (one already running, on another
 * processor, may finish). The last started timer stopped stops the clock. */
VOID IoStopTimer(PDEVICE_OBJECT DeviceObject)
{
    IO_TIMER *t = DeviceObject->Timer;
    if (t && __atomic_exchange_n(&t->Active, 0, __ATOMIC_SEQ_CST) &&
        __atomic_sub_fetch(&IopActiveTimers, 1, __ATOMIC_SEQ_CST) == 0) {
        KeCancelTimer(&IopTimerClock);
        if (__atomic_load_n(&IopActiveTimers, __ATOMIC_ACQUIRE)) /* started again meanwhile */
            IopArmTimerClock();
    }
}

/* PASSIVE_LEVEL, from IoDeleteDevice: the timer stops and goes with its device. */
VOID IopDeleteDeviceTimer(PDEVICE_OBJECT DeviceObject)
{
    KIRQL old;
    IO_TIMER *t = DeviceObject->Timer;
    if (!t)
        return;
    IoStopTimer(DeviceObject);
    KeAcquireSpinLock(&IopTimerLock, &old);
    RemoveEntryList(&t->Link);
    DeviceObject->Timer = NULL;
    KeReleaseSpinLock(&IopTimerLock, old);
    ExFreePoolWithTag(t, IOP_TIMER_TAG);
}
