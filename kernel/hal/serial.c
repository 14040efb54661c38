/* hal/serial.c - COM1 16550 UART output, the console the host test runner reads.
 * Polled transmit: output must work at any IRQL, including inside a bug check. */
#include "hal.h"
#include <arch/x86.h>

#define COM1 0x3F8

/* IRQL: any; once at boot. */
VOID HalSerialInitialize(void)
{
    __outbyte(COM1 + 1, 0x00); /* no UART interrupts */
    __outbyte(COM1 + 3, 0x80); /* DLAB to set the divisor */
    __outbyte(COM1 + 0, 0x01); /* 115200 baud */
    __outbyte(COM1 + 1, 0x00);
    __outbyte(COM1 + 3, 0x03); /* 8N1 */
    __outbyte(COM1 + 2, 0xC7); /* FIFO on, cleared */
    __outbyte(COM1 + 4, 0x03);
}

/* IRQL: any. */
VOID HalSerialPutChar(CHAR c)
{
    if (c == '\n')
        HalSerialPutChar('\r');
    for (ULONG spin = 0; spin < 100000 && !(__inbyte(COM1 + 5) & 0x20); spin++)
        _mm_pause();
    __outbyte(COM1, (UCHAR)c);
}

/* COM2 is the trace channel: machine-readable output (the IRP trace as JSON lines) goes to
 * the host there, apart from the console. Without a second -serial the port is absent: the
 * line status reads 0xFF, so nothing waits and the bytes go nowhere. */
#define COM2 0x2F8
static BOOLEAN HalpCom2Ready;

/* IRQL: any. */
VOID HalTraceChannelWrite(PCSTR Text, SIZE_T Length)
{
    if (!HalpCom2Ready) {
        __outbyte(COM2 + 1, 0x00);
        __outbyte(COM2 + 3, 0x80);
        __outbyte(COM2 + 0, 0x01);
        __outbyte(COM2 + 1, 0x00);
        __outbyte(COM2 + 3, 0x03);
        __outbyte(COM2 + 2, 0xC7);
        HalpCom2Ready = TRUE;
    }
    for (SIZE_T i = 0; i < Length; i++) {
        for (ULONG spin = 0; spin < 100000 && !(__inbyte(COM2 + 5) & 0x20); spin++)
            _mm_pause();
        __outbyte(COM2, (UCHAR)Text[i]);
    }
}
