/* include/irqlab/ramctl.h - the RAM disk's simulated controller: what a real disk driver gets
 * from its hardware and from PnP, and which has no WDM form here (kernel/hal/ramctl.c).
 *
 * A real disk driver finds its medium through PnP resources and is told its settings through
 * the registry; IRQLab has neither, so the loader's boot module and the kernel command line
 * stand in. A real controller interrupts when a transfer finishes; this one is told when to
 * interrupt: now (a self-IPI at the given vector) or after a delay (the PIT's one-shot routed
 * through the I/O APIC to that vector). A power cut stops the machine where it stands. */
#pragma once
#include <ntddk.h>

/* Private IOCTLs of \Device\RamDisk0 (FILE_DEVICE_DISK, vendor function range 0x800..). */
#define IOCTL_RAMDISK_EXPORT_IMAGE CTL_CODE(IOCTL_DISK_BASE, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_RAMDISK_QUERY_STATS CTL_CODE(IOCTL_DISK_BASE, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct _RAMDISK_STATS {
    ULONG64 Reads, Writes, BytesRead, BytesWritten;
    ULONG64 Interrupts, Dpcs, Rejected;
    KIRQL LastCompletionIrql; /* the IRQL IoCompleteRequest was called at */
    ULONG64 Spurious;         /* interrupts with nothing in flight (the ISR said "not mine") */
    ULONG64 Errors;           /* requests failed with a (simulated) media error */
    ULONG64 Batched;          /* requests completed by an interrupt another request raised (ramdisk.batch) */
} RAMDISK_STATS, *PRAMDISK_STATS;

/* IRQL: PASSIVE_LEVEL. The first boot module (`-initrd disk.img`): TRUE and its memory
 * (resident, direct-mapped), length and name; FALSE if the loader brought none. */
BOOLEAN RamCtlGetBootImage(PUCHAR *Base, PULONG64 Length, PCSTR *Name);

/* IRQL: any. Boot options (the kernel command line stands in for the driver's registry key):
 * present, value ("name=value", NULL if absent or bare), number (Default if absent). */
BOOLEAN RamCtlOptionPresent(PCSTR Name);
PCSTR RamCtlOptionValue(PCSTR Name);
ULONG64 RamCtlOptionNumber(PCSTR Name, ULONG64 Default);

/* IRQL: <= DISPATCH_LEVEL. Routes the PIT through the I/O APIC to Vector (edge, active high)
 * and returns its GSI, for delayed interrupts; RamCtlDisconnectTimer masks it again. */
ULONG RamCtlConnectTimer(ULONG Vector);
VOID RamCtlDisconnectTimer(ULONG Gsi);

/* IRQL: PASSIVE_LEVEL, before the first transfer. The controller interrupts processor
 * Processor from now on (the I/O APIC's destination for the PIT, a directed IPI otherwise),
 * whichever processor started the transfer; FALSE if that processor is not running. */
BOOLEAN RamCtlRouteToProcessor(ULONG Processor);

/* IRQL: any. The controller interrupts at Vector now (DelayUs 0: self-IPI) or after DelayUs
 * microseconds (the PIT one-shot; RamCtlConnectTimer first). */
VOID RamCtlRaiseInterrupt(ULONG Vector, ULONG DelayUs);

/* IRQL: any. Power cut: the machine stops dead (QEMU exits; no flush, no unmount). */
DECLSPEC_NORETURN VOID RamCtlPowerOff(void);
