/* drivers/ramdisk/rdioctl.c - device controls: the two disk IOCTLs a file system asks a
 * disk, with Windows' buffer rules, plus the private export and statistics requests. */
#include "ramdisk.h"

/* IRQL: PASSIVE_LEVEL. Streams the image to QEMU's debugcon port, which the host runner
 * points at a file (`-debugcon file:disk-out.img`); bracketed by magic lines on COM1, the
 * first giving the bytes streamed. debugcon costs the host a write per byte, so with the
 * boot option ramdisk.exporttrim the all-zero 64 KiB chunks at the end are left out and the
 * host extends the file back to the disk's length (truncate -s) - a 34 MiB FAT32 image is
 * mostly empty tail. */
VOID RdExportImage(PRAMDISK_EXTENSION Ext)
{
    PUCHAR p = Ext->Image;
    ULONG64 left = Ext->Length;
    if (RamCtlOptionPresent("ramdisk.exporttrim")) {
        while (left) {
            ULONG64 chunk = left % 65536 ? left % 65536 : 65536, i = 0;
            const ULONG64 *w = (const ULONG64 *)(p + left - chunk);
            while (i < chunk / 8 && !w[i])
                i++;
            if (i < chunk / 8)
                break;
            left -= chunk;
        }
    }
    DbgPrint("RAMDISK-EXPORT-BEGIN %llu of %llu\n", left, Ext->Length);
    while (left) {
        ULONG64 n = left > 65536 ? 65536 : left;
        __asm__ volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(0xE9) : "memory");
        left -= left > 65536 ? 65536 : left;
    }
    DbgPrint("RAMDISK-EXPORT-END\n");
}

/* A power cut from a fault= rule, in the DPC that landed the write: the disk leaves as it
 * stands (exported for fsck.fat and the oracle), with no flush and no unmount. */
VOID RdPowerCut(PRAMDISK_EXTENSION Ext)
{
    DbgPrint("VF-POWERCUT after write %llu\n", Ext->Stats.Writes);
    VfPrintSummary();
    RdExportImage(Ext);
    RamCtlPowerOff();
}

static NTSTATUS RdpOutput(PIRP Irp, PIO_STACK_LOCATION Sl, const VOID *Data, ULONG Size)
{
    if (Sl->Parameters.DeviceIoControl.OutputBufferLength < Size)
        return STATUS_BUFFER_TOO_SMALL;
    RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, Data, Size);
    Irp->IoStatus.Information = Size;
    return STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL (the export streams megabytes; the rest would be fine at DISPATCH). */
NTSTATUS RdDispatchDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PRAMDISK_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;

    Irp->IoStatus.Information = 0;
    switch (sl->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_DISK_GET_DRIVE_GEOMETRY: {
        DISK_GEOMETRY g;
        g.MediaType = FixedMedia;
        g.BytesPerSector = RD_SECTOR_SIZE;
        g.SectorsPerTrack = 32;
        g.TracksPerCylinder = 2;
        g.Cylinders.QuadPart = (LONGLONG)(ext->Length / (RD_SECTOR_SIZE * 32 * 2));
        status = RdpOutput(Irp, sl, &g, sizeof(g));
        break;
    }
    case IOCTL_DISK_GET_LENGTH_INFO: {
        GET_LENGTH_INFORMATION l;
        l.Length.QuadPart = (LONGLONG)ext->Length;
        status = RdpOutput(Irp, sl, &l, sizeof(l));
        break;
    }
    case IOCTL_RAMDISK_QUERY_STATS:
        status = RdpOutput(Irp, sl, &ext->Stats, sizeof(ext->Stats));
        break;
    case IOCTL_RAMDISK_EXPORT_IMAGE:
        if (KeGetCurrentIrql() != PASSIVE_LEVEL) {
            status = STATUS_INVALID_DEVICE_STATE;
            break;
        }
        RdExportImage(ext);
        status = STATUS_SUCCESS;
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}
