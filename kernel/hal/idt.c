/* hal/idt.c - an IDT entry for every one of the 256 vectors, pointing at the stubs in
 * trap.S; double fault and NMI switch to their own IST stacks. */
#include "hal.h"

#pragma pack(push, 1)
typedef struct {
    USHORT OffsetLow;
    USHORT Selector;
    UCHAR Ist;
    UCHAR Type;
    USHORT OffsetMid;
    ULONG OffsetHigh;
    ULONG Reserved;
} KIDTENTRY64;
#pragma pack(pop)

extern char KiTrapStubs[];
static KIDTENTRY64 HalpIdt[256] __attribute__((aligned(16)));

/* IRQL: any; called once at boot. */
VOID HalInitializeIdt(void)
{
    for (ULONG v = 0; v < 256; v++) {
        ULONG64 a = (ULONG64)(KiTrapStubs + 16 * v);
        HalpIdt[v].OffsetLow = (USHORT)a;
        HalpIdt[v].Selector = 0x08;
        HalpIdt[v].Ist = (v == 8) ? 1 : (v == 2) ? 2 : 0;
        HalpIdt[v].Type = 0x8E; /* present, ring 0, interrupt gate: IF cleared on entry */
        HalpIdt[v].OffsetMid = (USHORT)(a >> 16);
        HalpIdt[v].OffsetHigh = (ULONG)(a >> 32);
        HalpIdt[v].Reserved = 0;
    }
    HalLoadIdt();
}

/* IRQL: any; every processor loads the one IDT the boot processor filled in. */
VOID HalLoadIdt(void)
{
    struct __attribute__((packed)) { USHORT Limit; ULONG64 Base; } p;
    p.Limit = sizeof(HalpIdt) - 1;
    p.Base = (ULONG64)HalpIdt;
    __asm__ volatile("lidt %0" : : "m"(p));
}
