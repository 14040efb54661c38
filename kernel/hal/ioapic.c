/* hal/ioapic.c - routes external device interrupts (GSIs) to vectors through the I/O APIC,
 * after masking the legacy 8259 PICs, which this kernel never uses. */
#include "hal.h"
#include <arch/x86.h>

static volatile ULONG *HalpIoApic;

static ULONG HalpIoApicRead(ULONG Reg)
{
    HalpIoApic[0] = Reg;
    return HalpIoApic[4];
}

static VOID HalpIoApicWrite(ULONG Reg, ULONG Value)
{
    HalpIoApic[0] = Reg;
    HalpIoApic[4] = Value;
}

/* IRQL: HIGH_LEVEL; once at boot. Remap the PICs away from the exception vectors first, so
 * a spurious 8259 interrupt cannot masquerade as a CPU exception, then mask every line. */
VOID HalMaskLegacyPic(void)
{
    static const UCHAR init[] = { 0x11, 0x20, 0x04, 0x01 };
    static const UCHAR init2[] = { 0x11, 0x28, 0x02, 0x01 };
    for (ULONG i = 0; i < 4; i++) {
        __outbyte(i ? 0x21 : 0x20, init[i]);
        __outbyte(i ? 0xA1 : 0xA0, init2[i]);
    }
    __outbyte(0x21, 0xFF);
    __outbyte(0xA1, 0xFF);
}

/* IRQL: HIGH_LEVEL; once at boot: every redirection entry masked. */
VOID HalInitializeIoApic(void)
{
    HalpIoApic = (volatile ULONG *)HalPhysicalToVirtual(HalIoApicPhysical);
    ULONG count = ((HalpIoApicRead(1) >> 16) & 0xFF) + 1;
    for (ULONG i = 0; i < count; i++) {
        HalpIoApicWrite(0x10 + 2 * i, 1u << 16);
        HalpIoApicWrite(0x11 + 2 * i, 0);
    }
}

/* IRQL: any. The vector's class is the device's DIRQL. */
VOID HalEnableSystemInterrupt(ULONG Gsi, ULONG Vector, BOOLEAN LevelTriggered, BOOLEAN ActiveLow)
{
    ULONG pin = Gsi - HalIoApicGsiBase;
    ULONG low = Vector | (LevelTriggered ? (1u << 15) : 0) | (ActiveLow ? (1u << 13) : 0);
    HalpIoApicWrite(0x11 + 2 * pin, 0); /* destination: APIC 0 */
    HalpIoApicWrite(0x10 + 2 * pin, low);
}

/* IRQL: any. Sends the GSI to another processor's local APIC (physical destination). */
VOID HalSetInterruptDestination(ULONG Gsi, ULONG ApicId)
{
    HalpIoApicWrite(0x11 + 2 * (Gsi - HalIoApicGsiBase), ApicId << 24);
}

/* IRQL: any. */
VOID HalDisableSystemInterrupt(ULONG Gsi)
{
    HalpIoApicWrite(0x10 + 2 * (Gsi - HalIoApicGsiBase), 1u << 16);
}

/* IRQL: any. PIT channel 0 in mode 0 raises IRQ 0 once when the count runs out: a real
 * external interrupt, routed through the I/O APIC, that devices can use as their "hardware". */
VOID HalPitStartOneShot(ULONG Microseconds)
{
    ULONG64 count = (ULONG64)Microseconds * 1193182 / 1000000;
    if (count == 0)
        count = 1;
    if (count > 0xFFFF)
        count = 0xFFFF;
    __outbyte(0x43, 0x30); /* channel 0, lo/hi, mode 0 */
    __outbyte(0x40, (UCHAR)count);
    __outbyte(0x40, (UCHAR)(count >> 8));
}

/* IRQL: any. Reprogramming the mode word stops channel 0 until a new count is written. */
VOID HalPitStop(void) { __outbyte(0x43, 0x30); }

/* IRQL: any. */
ULONG HalIoApicPinCount(void) { return ((HalpIoApicRead(1) >> 16) & 0xFF) + 1; }

/* IRQL: any. */
ULONG64 HalReadRedirection(ULONG Pin)
{
    return HalpIoApicRead(0x10 + 2 * Pin) | ((ULONG64)HalpIoApicRead(0x11 + 2 * Pin) << 32);
}

/* IRQL: any. Masks the pin first so no half-written entry ever delivers. */
VOID HalWriteRedirection(ULONG Pin, ULONG64 Entry)
{
    HalpIoApicWrite(0x10 + 2 * Pin, 1u << 16);
    HalpIoApicWrite(0x11 + 2 * Pin, (ULONG)(Entry >> 32));
    HalpIoApicWrite(0x10 + 2 * Pin, (ULONG)Entry);
}
