/* hal/vga.c - a mirror of the console on the VGA text screen, for people watching the QEMU
 * window rather than the serial port. Scrolls; no cursor, no colours beyond one. */
#include "hal.h"
#include <arch/x86.h>

#define VGA_COLS 80
#define VGA_ROWS 25
static volatile USHORT *HalpVga;
static ULONG HalpRow, HalpCol;

/* IRQL: any; once at boot, after the direct map exists (it always does: boot.S built it). */
VOID HalVgaInitialize(void)
{
    HalpVga = (volatile USHORT *)HalPhysicalToVirtual(0xB8000);
    for (ULONG i = 0; i < VGA_COLS * VGA_ROWS; i++)
        HalpVga[i] = 0x0700 | ' ';
    HalpRow = HalpCol = 0;
}

static VOID HalpScroll(void)
{
    for (ULONG i = 0; i < VGA_COLS * (VGA_ROWS - 1); i++)
        HalpVga[i] = HalpVga[i + VGA_COLS];
    for (ULONG i = 0; i < VGA_COLS; i++)
        HalpVga[VGA_COLS * (VGA_ROWS - 1) + i] = 0x0700 | ' ';
    HalpRow = VGA_ROWS - 1;
}

/* IRQL: any. */
VOID HalVgaPutChar(CHAR c)
{
    if (!HalpVga)
        return;
    if (c == '\n') {
        HalpCol = 0;
        if (++HalpRow == VGA_ROWS)
            HalpScroll();
        return;
    }
    if (c == '\r')
        return;
    HalpVga[HalpRow * VGA_COLS + HalpCol] = 0x0700 | (UCHAR)c;
    if (++HalpCol == VGA_COLS) {
        HalpCol = 0;
        if (++HalpRow == VGA_ROWS)
            HalpScroll();
    }
}

/* IRQL: any. Both devices get every character. */
VOID HalDisplayString(PCSTR s, SIZE_T n)
{
    for (SIZE_T i = 0; i < n; i++) {
        HalSerialPutChar(s[i]);
        HalVgaPutChar(s[i]);
    }
}

/* IRQL: any. */
VOID HalExitEmulator(ULONG Code)
{
    _disable();
    __outdword(0xF4, Code); /* isa-debug-exit: QEMU exits with (Code << 1) | 1 */
    for (;;)
        __halt();
}
