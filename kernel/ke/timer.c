/* ke/timer.c - kernel timers: one list sorted by due time (interrupt time, 100 ns); the
 * clock interrupt only compares the head's due time and queues the expiration DPC. */
#include "ki.h"

static LIST_ENTRY KipTimerListHead;
static volatile ULONG64 KipNextDueTime = ~0ULL; /* read at CLOCK_LEVEL, written at DISPATCH */
static KDPC KipTimerExpirationDpc;

static VOID KipUpdateNextDue(void)
{
    KipNextDueTime = IsListEmpty(&KipTimerListHead)
                         ? ~0ULL
                         : CONTAINING_RECORD(KipTimerListHead.Flink, KTIMER, TimerListEntry)->DueTime.QuadPart;
}

/* Interval: negative = relative, positive = absolute (this kernel's system time is the
 * interrupt time since boot: there is no real-time clock yet). Never returns 0. */
ULONG64 KiComputeDueTime(PLARGE_INTEGER Interval)
{
    if (Interval->QuadPart < 0)
        return KeQueryInterruptTime() + (ULONG64)(-Interval->QuadPart);
    return Interval->QuadPart ? (ULONG64)Interval->QuadPart : 1;
}

/* DISPATCH_LEVEL. */
VOID KiInsertTimer(PKTIMER Timer, ULONG64 DueTime, LONG Period, PKDPC Dpc)
{
    PLIST_ENTRY e;
    Timer->DueTime.QuadPart = DueTime;
    Timer->Period = Period;
    Timer->Dpc = Dpc;
    for (e = KipTimerListHead.Flink; e != &KipTimerListHead; e = e->Flink)
        if (CONTAINING_RECORD(e, KTIMER, TimerListEntry)->DueTime.QuadPart > DueTime)
            break;
    InsertTailList(e, &Timer->TimerListEntry); /* i.e. just before e */
    Timer->Header.Inserted = TRUE;
    KipUpdateNextDue();
    if (DueTime <= KeQueryInterruptTime())
        KeInsertQueueDpc(&KipTimerExpirationDpc, NULL, NULL);
}

/* DISPATCH_LEVEL. TRUE if the timer was queued. */
BOOLEAN KiRemoveTimer(PKTIMER Timer)
{
    if (!Timer->Header.Inserted)
        return FALSE;
    RemoveEntryList(&Timer->TimerListEntry);
    Timer->Header.Inserted = FALSE;
    KipUpdateNextDue();
    return TRUE;
}

/* CLOCK_LEVEL. */
VOID KiTimerClockTick(void)
{
    if (KipNextDueTime != ~0ULL && KeQueryInterruptTime() >= KipNextDueTime)
        KeInsertQueueDpc(&KipTimerExpirationDpc, NULL, NULL);
}

/* The expiration DPC: signal every due timer, wake its waiters, requeue periodic ones,
 * queue their DPCs (which run in this same DPC drain). */
static VOID KipTimerExpiration(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    ULONG64 now = KeQueryInterruptTime();
    KIRQL irql = KiAcquireDispatcherDatabase(); /* other processors insert timers too */
    while (!IsListEmpty(&KipTimerListHead)) {
        PKTIMER t = CONTAINING_RECORD(KipTimerListHead.Flink, KTIMER, TimerListEntry);
        if (t->DueTime.QuadPart > now)
            break;
        KiRemoveTimer(t);
        t->Header.SignalState = 1;
        KiWaitTest(&t->Header);
        if (t->Period) {
            ULONG64 next = t->DueTime.QuadPart + (ULONG64)t->Period * 10000;
            KiInsertTimer(t, next > now ? next : now + (ULONG64)t->Period * 10000, t->Period, t->Dpc);
        }
        if (t->Dpc)
            KeInsertQueueDpc(t->Dpc, (PVOID)(ULONG_PTR)(ULONG)now, (PVOID)(ULONG_PTR)(now >> 32));
    }
    KiReleaseDispatcherDatabase(irql);
}

VOID KiInitializeTimers(void)
{
    InitializeListHead(&KipTimerListHead);
    KeInitializeDpc(&KipTimerExpirationDpc, KipTimerExpiration, NULL);
    KeSetImportanceDpc(&KipTimerExpirationDpc, HighImportance);
}

/* IRQL: any. */
VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type)
{
    VF_DDI_CHECK(KeInitializeTimerEx);
    Timer->Header.Type = Type == SynchronizationTimer ? TimerSynchronizationObject : TimerNotificationObject;
    Timer->Header.Size = sizeof(KTIMER) / sizeof(LONG);
    Timer->Header.Inserted = FALSE;
    Timer->Header.SignalState = 0;
    InitializeListHead(&Timer->Header.WaitListHead);
    Timer->DueTime.QuadPart = 0;
    Timer->Dpc = NULL;
    Timer->Period = 0;
}

VOID KeInitializeTimer(PKTIMER Timer) { KeInitializeTimerEx(Timer, NotificationTimer); }

/* IRQL <= DISPATCH_LEVEL. Returns TRUE if the timer was already queued (it is requeued).
 * Period in milliseconds, 0 for a one-shot timer. */
BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    VF_DDI_CHECK(KeSetTimerEx);
    KIRQL irql = KiAcquireDispatcherDatabase();
    BOOLEAN was = KiRemoveTimer(Timer);
    Timer->Header.SignalState = 0;
    KiInsertTimer(Timer, KiComputeDueTime(&DueTime), Period, Dpc);
    KiReleaseDispatcherDatabase(irql);
    return was;
}

/* IRQL <= DISPATCH_LEVEL. */
BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc) { return KeSetTimerEx(Timer, DueTime, 0, Dpc); }

/* IRQL <= DISPATCH_LEVEL. TRUE if it was queued; its DPC, if already queued, still runs. */
BOOLEAN KeCancelTimer(PKTIMER Timer)
{
    VF_DDI_CHECK(KeCancelTimer);
    KIRQL irql = KiAcquireDispatcherDatabase();
    BOOLEAN was = KiRemoveTimer(Timer);
    KiReleaseDispatcherDatabase(irql);
    return was;
}

/* IRQL: any. */
BOOLEAN KeReadStateTimer(PKTIMER Timer) { return Timer->Header.SignalState != 0; }

/* A thread's own wait-timeout timer (KTHREAD.Timer) belongs to its wait, which removes it. */
static BOOLEAN KipIsThreadWaitTimer(PKTIMER Timer)
{
    PLIST_ENTRY e = Timer->Header.WaitListHead.Flink;
    if (e == &Timer->Header.WaitListHead)
        return FALSE;
    PKWAIT_BLOCK wb = CONTAINING_RECORD(e, KWAIT_BLOCK, WaitListEntry);
    return wb->Thread && &wb->Thread->Timer == Timer;
}

/* IRQL <= DISPATCH_LEVEL. Copies up to Max queued timers, in due order, leaving out threads'
 * wait timeouts, and returns how many there are (the test framework cancels those a failed
 * test left behind). */
ULONG KiSnapshotTimers(PKTIMER *Timers, ULONG Max)
{
    ULONG n = 0;
    KIRQL irql = KiAcquireDispatcherDatabase();
    for (PLIST_ENTRY e = KipTimerListHead.Flink; e != &KipTimerListHead; e = e->Flink) {
        PKTIMER t = CONTAINING_RECORD(e, KTIMER, TimerListEntry);
        if (KipIsThreadWaitTimer(t))
            continue;
        if (n < Max)
            Timers[n] = t;
        n++;
    }
    KiReleaseDispatcherDatabase(irql);
    return n;
}
