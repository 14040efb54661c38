/* hal/gdt.c - the kernel's GDT with a 64-bit TSS whose IST stacks catch double faults and
 * NMIs on a known-good stack, so a kernel stack overflow ends in a bug check, not a reset. */
#include "hal.h"
#include <arch/x86.h>

#pragma pack(push, 1)
typedef struct {
    ULONG Reserved0;
    ULONG64 Rsp[3];
    ULONG64 Reserved1;
    ULONG64 Ist[7];
    ULONG64 Reserved2;
    USHORT Reserved3;
    USHORT IoMapBase;
} KTSS64;
typedef struct { USHORT Limit; ULONG64 Base; } DESCRIPTOR_POINTER;
#pragma pack(pop)

static KTSS64 HalpTss;
static ULONG64 HalpGdt[7];
static UCHAR HalpDoubleFaultStack[16384] __attribute__((aligned(16)));
static UCHAR HalpNmiStack[8192] __attribute__((aligned(16)));
ULONG64 HalDoubleFaultStackTop, HalNmiStackTop;

/* IRQL: any; called once at boot before interrupts are enabled. */
VOID HalInitializeGdt(void)
{
    ULONG64 tss = (ULONG64)&HalpTss;
    ULONG limit = sizeof(HalpTss) - 1;
    DESCRIPTOR_POINTER p;

    HalDoubleFaultStackTop = (ULONG64)(HalpDoubleFaultStack + sizeof(HalpDoubleFaultStack));
    HalNmiStackTop = (ULONG64)(HalpNmiStack + sizeof(HalpNmiStack));
    HalpTss.Ist[0] = HalDoubleFaultStackTop; /* IST1 */
    HalpTss.Ist[1] = HalNmiStackTop;         /* IST2 */
    HalpTss.IoMapBase = sizeof(HalpTss);

    HalpGdt[0] = 0;
    HalpGdt[1] = 0x00209A0000000000ULL; /* 0x08 kernel code */
    HalpGdt[2] = 0x0000920000000000ULL; /* 0x10 kernel data */
    HalpGdt[3] = 0;
    HalpGdt[4] = 0;
    /* 0x28: 16-byte TSS descriptor */
    HalpGdt[5] = (limit & 0xFFFF) | ((tss & 0xFFFFFF) << 16) | (0x89ULL << 40) |
                 ((ULONG64)((limit >> 16) & 0xF) << 48) | (((tss >> 24) & 0xFF) << 56);
    HalpGdt[6] = tss >> 32;

    p.Limit = sizeof(HalpGdt) - 1;
    p.Base = (ULONG64)HalpGdt;
    __asm__ volatile("lgdt %0\n"
                     "pushq $0x08\n"
                     "leaq 1f(%%rip), %%rax\n"
                     "pushq %%rax\n"
                     "lretq\n"
                     "1: mov $0x10, %%ax\n"
                     "mov %%ax, %%ds\n mov %%ax, %%es\n mov %%ax, %%ss\n"
                     "mov $0x28, %%ax\n ltr %%ax\n"
                     : : "m"(p) : "rax", "memory");
}
