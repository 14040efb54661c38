/* ke/demo_threads.c - the boot demo's thread section: a ready higher-priority thread held
 * off by a DISPATCH_LEVEL spin across clock ticks, running the instant IRQL drops. */
#include "ki.h"
#include "../hal/hal.h"

static KEVENT KipDemoGo;
static volatile ULONG64 KipDemoRanTick;

static VOID KipDemoHighThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&KipDemoGo, Executive, KernelMode, FALSE, NULL);
    KipDemoRanTick = KiTickCount;
    DbgPrint("    [priority 20 thread %u] running at tick %llu, IRQL %u\n", KeGetCurrentThread()->Id,
             KipDemoRanTick, KeGetCurrentIrql());
}

VOID KiRunThreadDemo(void)
{
    PKTHREAD t;
    KIRQL old;
    DbgPrint("\n== Threads: no switch while IRQL >= DISPATCH_LEVEL ==\n");
    KeInitializeEvent(&KipDemoGo, NotificationEvent, FALSE);
    if (!NT_SUCCESS(KiCreateSystemThread(KipDemoHighThread, NULL, 20, "demo", &t)))
        return;
    DbgPrint("  thread %u (priority 20) waits on an event; this thread has priority %d\n", t->Id,
             KeGetCurrentThread()->Priority);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeSetEvent(&KipDemoGo, 0, FALSE);
    ULONG64 t0 = KiTickCount;
    DbgPrint("  at DISPATCH_LEVEL: event set at tick %llu, thread %u is %s; spinning 5 ticks...\n", t0, t->Id,
             KiThreadStateName(t->State));
    while (KiTickCount - t0 < 5)
        _mm_pause();
    DbgPrint("  tick %llu: thread %u still %s, DISPATCH interrupt pending in IRR: %s\n", KiTickCount, t->Id,
             KiThreadStateName(t->State), HalIsInterruptPending(DISPATCH_VECTOR) ? "yes" : "no");
    DbgPrint("  lowering to PASSIVE_LEVEL...\n");
    KeLowerIrql(old);
    DbgPrint("  back in the initial thread: the priority 20 thread ran before KeLowerIrql returned\n");
    KeWaitForSingleObject(t, Executive, KernelMode, FALSE, NULL);
    KiDereferenceThread(t);
    KeDumpThreads();
}
