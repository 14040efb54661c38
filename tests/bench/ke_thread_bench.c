/* tests/bench/ke_thread_bench.c - dispatcher costs: a context switch (event ping-pong),
 * KeSetEvent to the woken thread running, ExQueueWorkItem to the routine running. */
#include "../ktest.h"
#include "../../kernel/ke/ki.h"

#define KBP_ROUNDS 2000

static KEVENT KbpPing, KbpPong;
static volatile BOOLEAN KbpStop;
static volatile ULONG64 KbpSetTsc, KbpWakeTicks;

static VOID KbpPonger(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (;;) {
        KeWaitForSingleObject(&KbpPing, Executive, KernelMode, FALSE, NULL);
        if (KbpStop)
            break;
        KeSetEvent(&KbpPong, 0, FALSE);
    }
}

static VOID KbpJoin(PKTHREAD t)
{
    KeWaitForSingleObject(t, Executive, KernelMode, FALSE, NULL);
    KiDereferenceThread(t);
}

/* Main sets Ping (the ponger, one priority higher, runs at once), the ponger sets Pong and
 * waits (back to main): two real switches a round, counted by the dispatcher itself. */
KBENCH_DEFINE(ke_context_switch)
{
    PKTHREAD t;
    KeInitializeEvent(&KbpPing, SynchronizationEvent, FALSE);
    KeInitializeEvent(&KbpPong, SynchronizationEvent, FALSE);
    KbpStop = FALSE;
    if (!NT_SUCCESS(KiCreateSystemThread(KbpPonger, NULL, KI_DEFAULT_PRIORITY + 1, "ponger", &t)))
        return;
    ULONG64 switches = KiContextSwitches, t0 = __rdtsc();
    for (ULONG i = 0; i < KBP_ROUNDS; i++) {
        KeSetEvent(&KbpPing, 0, FALSE);
        KeWaitForSingleObject(&KbpPong, Executive, KernelMode, FALSE, NULL);
    }
    ULONG64 ticks = __rdtsc() - t0;
    switches = KiContextSwitches - switches;
    KbpStop = TRUE;
    KeSetEvent(&KbpPing, 0, FALSE);
    KbpJoin(t);
    KtBenchReport("ke context switch (event ping-pong, per switch)", switches, ticks);
}

static VOID KbpWaker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (;;) {
        KeWaitForSingleObject(&KbpPing, Executive, KernelMode, FALSE, NULL);
        KbpWakeTicks += __rdtsc() - KbpSetTsc;
        if (KbpStop)
            break;
    }
}

KBENCH_DEFINE(ke_event_wake_latency)
{
    PKTHREAD t;
    KeInitializeEvent(&KbpPing, SynchronizationEvent, FALSE);
    KbpStop = FALSE;
    KbpWakeTicks = 0;
    if (!NT_SUCCESS(KiCreateSystemThread(KbpWaker, NULL, KI_DEFAULT_PRIORITY + 1, "waker", &t)))
        return;
    for (ULONG i = 0; i < KBP_ROUNDS; i++) {
        KbpSetTsc = __rdtsc();
        KeSetEvent(&KbpPing, 0, FALSE); /* the waiter runs before this returns */
    }
    ULONG64 ticks = KbpWakeTicks;
    KbpStop = TRUE;
    KbpSetTsc = __rdtsc();
    KeSetEvent(&KbpPing, 0, FALSE);
    KbpJoin(t);
    KtBenchReport("ke KeSetEvent to waiter running", KBP_ROUNDS, ticks);
}

static WORK_QUEUE_ITEM KbpItem;
static VOID KbpWorkRoutine(PVOID Parameter)
{
    UNREFERENCED_PARAMETER(Parameter);
    KbpWakeTicks += __rdtsc() - KbpSetTsc;
    KeSetEvent(&KbpPong, 0, FALSE);
}

KBENCH_DEFINE(ke_work_item_latency)
{
    KeInitializeEvent(&KbpPong, SynchronizationEvent, FALSE);
    KbpWakeTicks = 0;
    for (ULONG i = 0; i < KBP_ROUNDS; i++) {
        ExInitializeWorkItem(&KbpItem, KbpWorkRoutine, NULL);
        KbpSetTsc = __rdtsc();
        ExQueueWorkItem(&KbpItem, DelayedWorkQueue);
        KeWaitForSingleObject(&KbpPong, Executive, KernelMode, FALSE, NULL);
    }
    KtBenchReport("ke ExQueueWorkItem to routine running", KBP_ROUNDS, KbpWakeTicks);
}
