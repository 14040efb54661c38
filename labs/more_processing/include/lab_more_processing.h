/* labs/more_processing/include/lab_more_processing.h - the interface of the
 * STATUS_MORE_PROCESSING_REQUIRED lab's filter: its control device and the IOCTL that makes
 * it read the disk's boot sector with an IRP of its own. */
#pragma once
#include <ntddk.h>

#define LAB_MP_DEVICE L"\\Device\\LabMore"
#define LAB_MP_DRIVER L"\\FileSystem\\Filters\\LabMore"
#define LAB_MP_DISK L"\\Device\\RamDisk0"
#define LAB_MP_TAG 'rMLL' /* every allocation the driver makes carries it */

/* IOCTL_LAB_MP_READ_BOOT_SECTOR's output. */
typedef struct _LAB_MP_SECTOR {
    UCHAR Data[512];        /* sector 0 of \Device\RamDisk0 */
    ULONG64 OwnIrp;         /* the address of the IRP the driver built to read it */
    ULONG CompletionIrql;   /* KeGetCurrentIrql() in that IRP's completion routine */
} LAB_MP_SECTOR, *PLAB_MP_SECTOR;

/* METHOD_BUFFERED; output: LAB_MP_SECTOR. */
#define IOCTL_LAB_MP_READ_BOOT_SECTOR CTL_CODE(FILE_DEVICE_UNKNOWN, 0x830, METHOD_BUFFERED, FILE_ANY_ACCESS)
