/* tests/demo/irqldemo.c - the demo's first sections: IRQL masking and DPC delivery happening
 * live, with the evidence (tick counts, APIC IRR bits, DPC order) printed as it happens. */
#include "demo.h"
#include "../../kernel/ke/ki.h"
#include "../../kernel/hal/hal.h"

static volatile LONG DemopDpcCount;
static volatile KIRQL DemopDpcIrql;

static VOID DemopDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    DemopDpcCount++;
    DemopDpcIrql = KeGetCurrentIrql();
    DbgPrint("    DPC %s runs at IRQL %u (%s)\n", (PCSTR)Context, DemopDpcIrql,
             DemopDpcIrql == DISPATCH_LEVEL ? "DISPATCH_LEVEL" : "NOT DISPATCH_LEVEL");
}

static PCSTR DemopIrqlName(KIRQL Irql)
{
    return Irql == PASSIVE_LEVEL ? "PASSIVE_LEVEL" : Irql == APC_LEVEL ? "APC_LEVEL"
         : Irql == DISPATCH_LEVEL ? "DISPATCH_LEVEL" : Irql == CLOCK_LEVEL ? "CLOCK_LEVEL"
         : Irql == HIGH_LEVEL ? "HIGH_LEVEL" : "device IRQL";
}

static VOID DemopTicks(KIRQL Irql)
{
    KIRQL old;
    KeRaiseIrql(Irql, &old);
    ULONG64 t0 = KiTickCount;
    KeStallExecutionProcessor(20000);
    ULONG64 t1 = KiTickCount;
    BOOLEAN pending = HalIsInterruptPending(CLOCK_VECTOR);
    ULONG cr8 = (ULONG)__readcr8();
    KeLowerIrql(old);
    DbgPrint("  IRQL %2u %-14s (CR8 %2u) for 20 ms: %3llu clock ticks; clock vector waiting in IRR: %s\n",
             Irql, DemopIrqlName(Irql), cr8, t1 - t0, pending ? "yes" : "no");
}

VOID DemoIrql(void)
{
    static KDPC a, b;
    KIRQL old;

    DemoSection("IRQL is CR8: the local APIC holds back every interrupt class <= IRQL");
    DbgPrint("  the clock interrupt is vector 0x%x, class %u = CLOCK_LEVEL\n", CLOCK_VECTOR, CLOCK_VECTOR >> 4);
    DemopTicks(PASSIVE_LEVEL);
    DemopTicks(DISPATCH_LEVEL);
    DemopTicks(CLOCK_LEVEL);
    DemopTicks(HIGH_LEVEL);
    DemoNotice("no tick arrives at CLOCK_LEVEL or above, yet none is lost: it waits in the IRR.");

    DemoSection("DPCs are a real software interrupt (vector 0x2F, DISPATCH_LEVEL)");
    KeInitializeDpc(&a, DemopDpc, "A (MediumImportance)");
    KeInitializeDpc(&b, DemopDpc, "B (HighImportance)");
    KeSetImportanceDpc(&b, HighImportance);
    DemopDpcCount = 0;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeInsertQueueDpc(&a, NULL, NULL);
    KeInsertQueueDpc(&b, NULL, NULL);
    DbgPrint("  at DISPATCH_LEVEL, queued A then B; vector 0x2F waiting in IRR: %s; DPCs run so far: %d\n",
             HalIsInterruptPending(DISPATCH_VECTOR) ? "yes" : "no", DemopDpcCount);
    DbgPrint("  KeLowerIrql(PASSIVE_LEVEL)...\n");
    KeLowerIrql(old);
    DbgPrint("  KeLowerIrql returned: %d DPCs ran inside it\n", DemopDpcCount);
    DemoNotice("B ran before A: a HighImportance DPC goes to the head of the queue.");
}
