/* hal/gdt.c - each processor's GDT with a 64-bit TSS whose IST stacks catch double faults
 * and NMIs on a known-good stack, so a kernel stack overflow ends in a bug check, not a reset. */
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

static KTSS64 HalpTss[HAL_MAX_PROCESSORS];
static ULONG64 HalpGdt[HAL_MAX_PROCESSORS][7];
static UCHAR HalpDoubleFaultStack[HAL_MAX_PROCESSORS][16384] __attribute__((aligned(16)));
static UCHAR HalpNmiStack[HAL_MAX_PROCESSORS][8192] __attribute__((aligned(16)));

/* IRQL: any; called once by each processor for itself before it enables interrupts. */
VOID HalInitializeGdt(ULONG Processor)
{
    KTSS64 *t = &HalpTss[Processor];
    ULONG64 *gdt = HalpGdt[Processor];
    ULONG64 tss = (ULONG64)t;
    ULONG limit = sizeof(*t) - 1;
    DESCRIPTOR_POINTER p;

    t->Ist[0] = (ULONG64)(HalpDoubleFaultStack[Processor] + sizeof(HalpDoubleFaultStack[0])); /* IST1 */
    t->Ist[1] = (ULONG64)(HalpNmiStack[Processor] + sizeof(HalpNmiStack[0]));                 /* IST2 */
    t->IoMapBase = sizeof(*t);

    gdt[0] = 0;
    gdt[1] = 0x00209A0000000000ULL; /* 0x08 kernel code */
    gdt[2] = 0x0000920000000000ULL; /* 0x10 kernel data */
    gdt[3] = 0;
    gdt[4] = 0;
    /* 0x28: 16-byte TSS descriptor */
    gdt[5] = (limit & 0xFFFF) | ((tss & 0xFFFFFF) << 16) | (0x89ULL << 40) |
             ((ULONG64)((limit >> 16) & 0xF) << 48) | (((tss >> 24) & 0xFF) << 56);
    gdt[6] = tss >> 32;

    p.Limit = sizeof(HalpGdt[0]) - 1;
    p.Base = (ULONG64)gdt;
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
