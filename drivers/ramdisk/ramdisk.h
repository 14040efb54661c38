/* drivers/ramdisk/ramdisk.h - the RAM disk's device extension and private interfaces.
 * One disk, served asynchronously: IRPs queue for a "controller" that interrupts on completion. */
#pragma once
#include <ntddk.h>


#define RD_TAG 'kDmR'
#define RD_SECTOR_SIZE 512
#define RD_VECTOR 0x5D /* DIRQL 5: vector class = IRQL; 0x51.. are left to tests */
#define RD_DIRQL 5

/* Private IOCTL: write the disk's contents to the host (QEMU debugcon), so host tools can
 * inspect what the kernel did. FILE_DEVICE_DISK, function 0x800 (vendor range). */
#define IOCTL_RAMDISK_EXPORT_IMAGE CTL_CODE(IOCTL_DISK_BASE, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_RAMDISK_QUERY_STATS CTL_CODE(IOCTL_DISK_BASE, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct _RAMDISK_STATS {
    ULONG64 Reads, Writes, BytesRead, BytesWritten;
    ULONG64 Interrupts, Dpcs, Rejected;
    KIRQL LastCompletionIrql; /* the IRQL IoCompleteRequest was called at */
} RAMDISK_STATS, *PRAMDISK_STATS;

typedef struct _RAMDISK_EXTENSION {
    PDEVICE_OBJECT DeviceObject;
    PUCHAR Image;            /* resident: module memory or nonpaged pool */
    ULONG64 Length;
    BOOLEAN Synchronous;     /* boot option ramdisk.sync: complete in the dispatch routine */
    ULONG LatencyUs;         /* boot option ramdisk.latency=N: PIT one-shot, else a self-IPI */
    ULONG Gsi;
    LONG TargetApic;         /* boot option ramdisk.cpu=N: that processor's APIC ID, else -1 */
    KSPIN_LOCK Lock;         /* guards Queue and Current */
    LIST_ENTRY Queue;
    PIRP Current;            /* the request the "controller" is working on */
    PKINTERRUPT Interrupt;
    KDPC Dpc;
    RAMDISK_STATS Stats;
} RAMDISK_EXTENSION, *PRAMDISK_EXTENSION;

DRIVER_DISPATCH RdDispatchReadWrite;
DRIVER_DISPATCH RdDispatchDeviceControl;
KSERVICE_ROUTINE RdInterruptService;
KDEFERRED_ROUTINE RdDpcForIsr;
NTSTATUS RdTransfer(PRAMDISK_EXTENSION Ext, PIRP Irp);
VOID RdStartController(PRAMDISK_EXTENSION Ext);
VOID RdExportImage(PRAMDISK_EXTENSION Ext);
