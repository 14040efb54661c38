/* hal/apic.c - the local APIC: task priority is IRQL (CR8 writes it), self-IPIs raise the
 * APC and DISPATCH software interrupts, the timer is the clock, IRR/ISR are readable. */
#include "hal.h"
#include <arch/x86.h>

#define APIC_ID 0x020
#define APIC_TPR 0x080
#define APIC_EOI 0x0B0
#define APIC_SVR 0x0F0
#define APIC_ISR 0x100
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE 0x3E0
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)

static volatile ULONG *HalpApic;

ULONG HalReadApicRegister(ULONG Offset) { return HalpApic[Offset / 4]; }
static VOID HalpWriteApic(ULONG Offset, ULONG Value) { HalpApic[Offset / 4] = Value; }

/* IRQL: HIGH_LEVEL (interrupts off); once at boot. */
VOID HalInitializeLocalApic(void)
{
    ULONG64 base = __readmsr(0x1B);
    __writemsr(0x1B, base | (1 << 11)); /* globally enabled, xAPIC mode */
    HalpApic = (volatile ULONG *)HalPhysicalToVirtual(base & ~0xFFFULL);

    HalpWriteApic(APIC_TPR, 0);
    HalpWriteApic(APIC_LVT_TIMER, LVT_MASKED);
    HalpWriteApic(APIC_LVT_LINT0, LVT_MASKED);
    HalpWriteApic(APIC_LVT_LINT1, 0x400); /* NMI */
    HalpWriteApic(APIC_LVT_ERROR, LVT_MASKED);
    HalpWriteApic(APIC_ESR, 0);
    HalpWriteApic(APIC_SVR, 0x100 | SPURIOUS_VECTOR);
    HalpWriteApic(APIC_TIMER_DIVIDE, 0x3); /* divide by 16 */
    HalpWriteApic(APIC_EOI, 0);
}

/* IRQL: any. The xAPIC ID sits in bits 24-31. */
ULONG HalGetLocalApicId(void) { return HalpApic[APIC_ID / 4] >> 24; }

/* IRQL: any, from an interrupt handler. */
VOID HalEndOfInterrupt(void) { HalpWriteApic(APIC_EOI, 0); }

/* ICR writes are two stores; an interrupt handler sending its own IPI between them would
 * change the destination, so they happen with interrupts off. */
static VOID HalpWriteIcr(ULONG High, ULONG Low)
{
    ULONG64 flags = __readeflags();
    _disable();
    while (HalpApic[APIC_ICR_LOW / 4] & (1 << 12)) /* previous IPI still being sent */
        _mm_pause();
    HalpWriteApic(APIC_ICR_HIGH, High);
    HalpWriteApic(APIC_ICR_LOW, Low);
    __writeeflags(flags);
}

/* IRQL: any. The APIC holds the vector in its IRR until CR8 falls below its class. */
VOID HalSendSelfIpi(ULONG Vector)
{
    HalpWriteIcr(0, (1u << 18) | (1u << 14) | Vector); /* shorthand self, fixed, assert */
}

/* IRQL: any. A fixed interrupt to one processor; its IRQL (CR8) decides when it is taken. */
VOID HalSendIpi(ULONG ApicId, ULONG Vector)
{
    HalpWriteIcr(ApicId << 24, (1u << 14) | Vector);
}

/* IRQL: any. An NMI reaches a processor whatever its IRQL and interrupt flag. */
VOID HalSendNmi(ULONG ApicId)
{
    HalpWriteIcr(ApicId << 24, (1u << 14) | (4u << 8));
}

/* IRQL: PASSIVE_LEVEL, at boot. INIT, then two start-up IPIs naming the page the processor
 * begins at in real mode (Intel SDM vol. 3, 9.4.4: 10 ms after INIT, 200 us between SIPIs). */
VOID HalStartProcessor(ULONG ApicId, ULONG64 StartPhysical)
{
    HalpWriteApic(APIC_ESR, 0);
    HalpWriteIcr(ApicId << 24, (1u << 14) | (5u << 8));          /* INIT, assert */
    KeStallExecutionProcessor(10000);
    for (ULONG i = 0; i < 2; i++) {
        HalpWriteIcr(ApicId << 24, (6u << 8) | (ULONG)(StartPhysical >> 12)); /* start-up */
        KeStallExecutionProcessor(200);
    }
}

/* IRQL: any. Only APC_LEVEL and DISPATCH_LEVEL are software interrupt levels. */
VOID HalRequestSoftwareInterrupt(KIRQL Irql)
{
    HalSendSelfIpi(Irql == APC_LEVEL ? APC_VECTOR : DISPATCH_VECTOR);
}

static BOOLEAN HalpTestVectorBit(ULONG Base, ULONG Vector)
{
    return (HalReadApicRegister(Base + 0x10 * (Vector / 32)) >> (Vector % 32)) & 1;
}

/* IRQL: any. */
BOOLEAN HalIsInterruptPending(ULONG Vector) { return HalpTestVectorBit(APIC_IRR, Vector); }
BOOLEAN HalIsInterruptInService(ULONG Vector) { return HalpTestVectorBit(APIC_ISR, Vector); }

/* IRQL: any; the clock vector's class is CLOCK_LEVEL, so raising to CLOCK_LEVEL stops it. */
VOID HalStartClock(ULONG Hz)
{
    HalpWriteApic(APIC_TIMER_DIVIDE, 0x3);
    HalpWriteApic(APIC_LVT_TIMER, LVT_PERIODIC | CLOCK_VECTOR);
    HalpWriteApic(APIC_TIMER_INIT, (ULONG)(HalApicTimerPerSecond / Hz));
}

/* Calibration: count APIC timer ticks and TSC cycles across 50 ms of PIT channel 2. */
ULONG64 HalTscPerSecond, HalApicTimerPerSecond;

VOID HalCalibrateTimers(void)
{
    const ULONG pitHz = 1193182, ms = 50;
    ULONG count = pitHz * ms / 1000;
    ULONG64 tsc0, tsc1;
    ULONG apic1;

    __outbyte(0x61, (__inbyte(0x61) & ~0x02) | 0x01); /* gate channel 2 on, speaker off */
    __outbyte(0x43, 0xB0);                           /* channel 2, lo/hi, mode 0 */
    __outbyte(0x42, (UCHAR)count);
    __outbyte(0x42, (UCHAR)(count >> 8));
    HalpWriteApic(APIC_TIMER_DIVIDE, 0x3);
    HalpWriteApic(APIC_LVT_TIMER, LVT_MASKED);
    /* Restart the count by pulsing the gate, then start both clocks together. */
    __outbyte(0x61, __inbyte(0x61) & ~0x01);
    __outbyte(0x61, __inbyte(0x61) | 0x01);
    HalpWriteApic(APIC_TIMER_INIT, 0xFFFFFFFF);
    tsc0 = __rdtsc();
    while (!(__inbyte(0x61) & 0x20))
        ;
    tsc1 = __rdtsc();
    apic1 = HalReadApicRegister(APIC_TIMER_CURRENT);
    HalpWriteApic(APIC_TIMER_INIT, 0);
    HalApicTimerPerSecond = (ULONG64)(0xFFFFFFFFu - apic1) * 1000 / ms;
    HalTscPerSecond = (tsc1 - tsc0) * 1000 / ms;
    if (HalTscPerSecond == 0)
        HalTscPerSecond = 1;
}
