/* hal/vga.c - a mirror of the console on the VGA text screen for people watching the QEMU
 * window: it scrolls and wraps long lines at a word under their indent; one colour, no cursor. */
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

static VOID HalpNewRow(void)
{
    HalpCol = 0;
    if (++HalpRow == VGA_ROWS)
        HalpScroll();
}

/* A line longer than the screen breaks at its last space, not inside a word, and goes on
 * below under its own indent plus two, so a 100-column serial line (the demo's IRP trace)
 * still reads as one indented step in an 80-column window. HalpIndent is the current line's
 * leading spaces; HalpWrapped says this row continues the line above. */
static ULONG HalpIndent;
static BOOLEAN HalpInIndent = TRUE;

static VOID HalpWrap(void)
{
    volatile USHORT *row = &HalpVga[HalpRow * VGA_COLS];
    ULONG cont = HalpIndent + 2 < VGA_COLS / 2 ? HalpIndent + 2 : VGA_COLS / 2, cut = VGA_COLS;
    while (cut > cont && (row[cut - 1] & 0xFF) != ' ')
        cut--;
    if (cut <= cont) /* one word fills the row: break it where it is */
        cut = VGA_COLS;
    ULONG tail = VGA_COLS - cut;
    USHORT moved[VGA_COLS];
    for (ULONG i = 0; i < tail; i++) {
        moved[i] = row[cut + i];
        row[cut + i] = 0x0700 | ' ';
    }
    HalpNewRow();
    row = &HalpVga[HalpRow * VGA_COLS];
    for (HalpCol = 0; HalpCol < cont; HalpCol++)
        row[HalpCol] = 0x0700 | ' ';
    for (ULONG i = 0; i < tail; i++)
        row[HalpCol++] = moved[i];
}

/* IRQL: any. */
VOID HalVgaPutChar(CHAR c)
{
    if (!HalpVga)
        return;
    if (c == '\n') {
        HalpNewRow();
        HalpIndent = 0;
        HalpInIndent = TRUE;
        return;
    }
    if (c == '\r')
        return;
    if (HalpInIndent && c == ' ')
        HalpIndent++;
    else
        HalpInIndent = FALSE;
    if (HalpCol == VGA_COLS) {
        if (c == ' ') { /* a space at the edge is the break itself */
            HalpNewRow();
            for (; HalpCol < HalpIndent + 2 && HalpCol < VGA_COLS / 2; HalpCol++)
                HalpVga[HalpRow * VGA_COLS + HalpCol] = 0x0700 | ' ';
            return;
        }
        HalpWrap();
    }
    HalpVga[HalpRow * VGA_COLS + HalpCol++] = 0x0700 | (UCHAR)c;
}

/* IRQL: any. What the screen shows at Row (0 = top), for tests: Length characters, no NUL. */
VOID HalVgaReadRow(ULONG Row, PCHAR Buffer, ULONG Length)
{
    for (ULONG i = 0; i < Length && i < VGA_COLS; i++)
        Buffer[i] = HalpVga ? (CHAR)(HalpVga[Row * VGA_COLS + i] & 0xFF) : ' ';
}

/* IRQL: any. The row the next character goes to. */
ULONG HalVgaCurrentRow(void)
{
    return HalpRow;
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
