/* tests/demo/threaddemo.c - the demo's thread section: a ready higher-priority thread held
 * off by a DISPATCH_LEVEL spin across clock ticks, running the instant IRQL drops. */
#include "demo.h"
#include "../../kernel/ke/ki.h"
#include "../../kernel/hal/hal.h"

static KEVENT DemopGo;
static volatile ULONG64 DemopRanTick;

static VOID DemopHighThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&DemopGo, Executive, KernelMode, FALSE, NULL);
    DemopRanTick = KiTickCount;
    DbgPrint("    [priority 20 thread %u] running at tick %llu, IRQL %u\n", KeGetCurrentThread()->Id,
             DemopRanTick, KeGetCurrentIrql());
}

VOID DemoThreads(void)
{
    PKTHREAD t;
    KIRQL old;
    DemoSection("Threads: no switch while IRQL >= DISPATCH_LEVEL");
    KeInitializeEvent(&DemopGo, NotificationEvent, FALSE);
    /* Both threads on processor 0: with a second processor idle, the readied thread would
     * simply run there, and the point (no switch on a processor at DISPATCH_LEVEL) is about
     * the processor the spinning thread holds. */
    KAFFINITY previous = KeSetSystemAffinityThreadEx(1);
    if (!NT_SUCCESS(KiCreateSystemThreadEx(DemopHighThread, NULL, 20, "demo", 1, &t))) {
        KeRevertToUserAffinityThreadEx(previous);
        return;
    }
    DbgPrint("  thread %u (priority 20) waits on an event; this thread has priority %d; both run on\n"
             "  processor %u only\n", t->Id, KeGetCurrentThread()->Priority, KeGetCurrentProcessorNumberEx(NULL));
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeSetEvent(&DemopGo, 0, FALSE);
    ULONG64 t0 = KiTickCount;
    DbgPrint("  at DISPATCH_LEVEL: event set at tick %llu, thread %u is %s; spinning 5 ticks...\n", t0, t->Id,
             KiThreadStateName(t->State));
    while (KiTickCount - t0 < 5)
        _mm_pause();
    DbgPrint("  tick %llu: thread %u still %s, DISPATCH interrupt waiting in IRR: %s\n", KiTickCount, t->Id,
             KiThreadStateName(t->State), HalIsInterruptPending(DISPATCH_VECTOR) ? "yes" : "no");
    DbgPrint("  KeLowerIrql(PASSIVE_LEVEL)...\n");
    KeLowerIrql(old);
    DbgPrint("  back in the initial thread at tick %llu: the priority 20 thread %s\n", KiTickCount,
             DemopRanTick ? "ran inside KeLowerIrql" : "has NOT run yet");
    KeWaitForSingleObject(t, Executive, KernelMode, FALSE, NULL);
    KiDereferenceThread(t);
    KeRevertToUserAffinityThreadEx(previous);
    DbgPrint("\n");
    KeDumpThreads();
    DemoNotice("the thread became Ready at once but ran only when IRQL fell below DISPATCH_LEVEL;\n"
               "  the worker threads wait on their queues' semaphores with reason WrQueue.");
}
