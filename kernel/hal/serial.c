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

/* The trace channel: machine-readable output (the IRP trace as JSON lines) goes to the host on
 * a second debugcon port, apart from the console; one port write per byte, no status polling,
 * so it is fast. Without a device at the port (QEMU's -device isa-debugcon,iobase=0x402) the
 * writes go nowhere. */
#define HAL_TRACE_PORT 0x402

/* IRQL: any. */
VOID HalTraceChannelWrite(PCSTR Text, SIZE_T Length)
{
    __asm__ volatile("rep outsb" : "+S"(Text), "+c"(Length) : "d"(HAL_TRACE_PORT) : "memory");
}
