/* arch/x86.h - the few x86-64 instructions C cannot express, as inline functions.
 * Names follow the MSVC intrinsics that Windows drivers use (__readcr8, __outbyte...). */
#pragma once
#include <ntdef.h>

FORCEINLINE ULONG64 __readcr8(void) { ULONG64 v; __asm__ volatile("mov %%cr8, %0" : "=r"(v)); return v; }
FORCEINLINE void __writecr8(ULONG64 v) { __asm__ volatile("mov %0, %%cr8" : : "r"(v) : "memory"); }
FORCEINLINE ULONG64 __readcr2(void) { ULONG64 v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
FORCEINLINE ULONG64 __readcr3(void) { ULONG64 v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
FORCEINLINE void __writecr3(ULONG64 v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
FORCEINLINE ULONG64 __readcr0(void) { ULONG64 v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
FORCEINLINE ULONG64 __readcr4(void) { ULONG64 v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
FORCEINLINE void __writecr4(ULONG64 v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
FORCEINLINE void __invlpg(PVOID a) { __asm__ volatile("invlpg (%0)" : : "r"(a) : "memory"); }
FORCEINLINE void _disable(void) { __asm__ volatile("cli" ::: "memory"); }
FORCEINLINE void _enable(void) { __asm__ volatile("sti" ::: "memory"); }
FORCEINLINE void __halt(void) { __asm__ volatile("hlt" ::: "memory"); }
FORCEINLINE void _mm_pause(void) { __asm__ volatile("pause" ::: "memory"); }
FORCEINLINE ULONG64 __readeflags(void) { ULONG64 f; __asm__ volatile("pushfq; popq %0" : "=r"(f)); return f; }
FORCEINLINE void __writeeflags(ULONG64 f) { __asm__ volatile("pushq %0; popfq" : : "r"(f) : "memory", "cc"); }
FORCEINLINE BOOLEAN KiInterruptsEnabled(void) { return (__readeflags() & 0x200) != 0; }
FORCEINLINE ULONG64 __rdtsc(void)
{
    ULONG lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((ULONG64)hi << 32) | lo;
}
FORCEINLINE ULONG64 __readmsr(ULONG msr)
{
    ULONG lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((ULONG64)hi << 32) | lo;
}
FORCEINLINE void __writemsr(ULONG msr, ULONG64 v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((ULONG)v), "d"((ULONG)(v >> 32)));
}
FORCEINLINE void __cpuid(int out[4], int leaf)
{
    __asm__ volatile("cpuid" : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3]) : "a"(leaf), "c"(0));
}
FORCEINLINE void __outbyte(USHORT port, UCHAR v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
FORCEINLINE UCHAR __inbyte(USHORT port) { UCHAR v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
FORCEINLINE void __outword(USHORT port, USHORT v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
FORCEINLINE void __outdword(USHORT port, ULONG v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
FORCEINLINE ULONG64 KiReadFramePointer(void) { ULONG64 v; __asm__ volatile("mov %%rbp, %0" : "=r"(v)); return v; }
