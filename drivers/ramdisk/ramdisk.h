/* drivers/ramdisk/ramdisk.h - the RAM disk's device extension and private interfaces.
 * One disk, served asynchronously: IRPs queue for a "controller" that interrupts on completion. */
#pragma once
#include <ntddk.h>
#include <irqlab/ramctl.h> /* the simulated controller: boot image, options, interrupts, power */
#include <irqlab/vf.h>     /* the disk faults a fault= rule asks for */


#define RD_TAG 'kDmR'
#define RD_SECTOR_SIZE 512
#define RD_VECTOR 0x5D /* DIRQL 5: vector class = IRQL; 0x51.. are left to tests */
#define RD_DIRQL 5

/* IOCTL_RAMDISK_EXPORT_IMAGE writes the disk's contents to the host (QEMU debugcon), so host
 * tools can inspect what the kernel did; it and RAMDISK_STATS are in <irqlab/ramctl.h>. */

typedef struct _RAMDISK_EXTENSION {
    PDEVICE_OBJECT DeviceObject;
    PUCHAR Image;            /* resident: module memory or nonpaged pool */
    ULONG64 Length;
    BOOLEAN Synchronous;     /* boot option ramdisk.sync: complete in the dispatch routine */
    ULONG LatencyUs;         /* boot option ramdisk.latency=N: PIT one-shot, else a self-IPI */
    ULONG Gsi;               /* the PIT's, once connected (latency or a jitter rule) */
    BOOLEAN TimerConnected;
    KSPIN_LOCK Lock;         /* guards Queue and Current */
    LIST_ENTRY Queue;
    PIRP Current;            /* the request the "controller" is working on */
    ULONG Batch;             /* boot option ramdisk.batch=N: commands one interrupt completes */
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
DECLSPEC_NORETURN VOID RdPowerCut(PRAMDISK_EXTENSION Ext);
