/* ke/demo.c - what `make run` shows: IRQL masking and DPC delivery happening live, with the
 * evidence (tick counts, APIC IRR bits, DPC order) printed as it happens. */
#include "ki.h"
#include "../hal/hal.h"

VOID KiRunThreadDemo(void);
static volatile LONG KipDemoOrder[4];
static volatile LONG KipDemoCount;

static VOID KipDemoDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(A2);
    KipDemoOrder[KipDemoCount++] = (LONG)(ULONG_PTR)Context;
    DbgPrint("    DPC %s runs at IRQL %u (argument %p)\n", (PCSTR)A1, KeGetCurrentIrql(), A1);
}

static VOID KipDemoTicks(KIRQL Irql)
{
    KIRQL old;
    KeRaiseIrql(Irql, &old);
    ULONG64 t0 = KiTickCount;
    KeStallExecutionProcessor(20000);
    ULONG64 t1 = KiTickCount;
    BOOLEAN pending = HalIsInterruptPending(CLOCK_VECTOR);
    KeLowerIrql(old);
    DbgPrint("  at IRQL %2u for 20 ms: %3llu clock ticks arrived, clock vector pending in IRR: %s\n", Irql,
             t1 - t0, pending ? "yes" : "no");
}

VOID KiRunIrqlDemo(void)
{
    static KDPC a, b;
    KIRQL old;

    DbgPrint("\n== IRQL is CR8: the local APIC masks every interrupt class <= IRQL ==\n");
    KipDemoTicks(PASSIVE_LEVEL);
    KipDemoTicks(DISPATCH_LEVEL);
    KipDemoTicks(CLOCK_LEVEL);
    KipDemoTicks(HIGH_LEVEL);

    DbgPrint("\n== DPCs are a real software interrupt (vector 0x2F) ==\n");
    KeInitializeDpc(&a, KipDemoDpc, (PVOID)1);
    KeInitializeDpc(&b, KipDemoDpc, (PVOID)2);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeInsertQueueDpc(&a, "A (medium importance)", NULL);
    KeSetImportanceDpc(&b, HighImportance);
    KeInsertQueueDpc(&b, "B (high importance)", NULL);
    DbgPrint("  queued A then B at DISPATCH_LEVEL; vector 0x2F pending in IRR: %s; ran so far: %d\n",
             HalIsInterruptPending(DISPATCH_VECTOR) ? "yes" : "no", KipDemoCount);
    DbgPrint("  lowering to PASSIVE_LEVEL...\n");
    KeLowerIrql(old);
    DbgPrint("  after KeLowerIrql: %d DPCs ran (B first: high importance goes to the head)\n", KipDemoCount);
    KiRunThreadDemo();
}
