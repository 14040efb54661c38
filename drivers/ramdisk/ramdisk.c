/* drivers/ramdisk/ramdisk.c - DriverEntry for \Device\RamDisk0: finds the disk image (a
 * Multiboot module, else the built-in default), creates the device, connects its interrupt. */
#include "ramdisk.h"

extern UCHAR RdDefaultImage[], RdDefaultImageEnd[];

static NTSTATUS RdpCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* The image: the first Multiboot module (`-initrd disk.img`), else the default built in. */
static VOID RdpFindImage(PRAMDISK_EXTENSION Ext)
{
    PCSTR name;
    if (RamCtlGetBootImage(&Ext->Image, &Ext->Length, &name)) {
        Ext->Length &= ~(ULONG64)(RD_SECTOR_SIZE - 1);
        DbgPrint("RAMDISK: image from boot module '%s', %llu bytes\n", name, Ext->Length);
    } else {
        Ext->Image = RdDefaultImage;
        Ext->Length = (ULONG64)(RdDefaultImageEnd - RdDefaultImage);
        DbgPrint("RAMDISK: built-in default image, %llu bytes\n", Ext->Length);
    }
}

/* IRQL: PASSIVE_LEVEL. */
static VOID RdpUnload(PDRIVER_OBJECT DriverObject)
{
    PDEVICE_OBJECT dev = DriverObject->DeviceObject;
    if (dev) {
        PRAMDISK_EXTENSION ext = dev->DeviceExtension;
        if (ext->Interrupt)
            IoDisconnectInterrupt(ext->Interrupt);
        if (ext->TimerConnected)
            RamCtlDisconnectTimer(ext->Gsi);
        IoDeleteDevice(dev);
    }
}

/* IRQL: PASSIVE_LEVEL. */
NTSTATUS RdDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\RamDisk0");
    PDEVICE_OBJECT dev;
    PRAMDISK_EXTENSION ext;
    NTSTATUS status;
    UNREFERENCED_PARAMETER(RegistryPath);

    status = IoCreateDevice(DriverObject, sizeof(RAMDISK_EXTENSION), &name, FILE_DEVICE_DISK, 0, FALSE, &dev);
    if (!NT_SUCCESS(status))
        return status;
    ext = dev->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    ext->DeviceObject = dev;
    KeInitializeSpinLock(&ext->Lock);
    InitializeListHead(&ext->Queue);
    KeInitializeDpc(&ext->Dpc, RdDpcForIsr, ext);
    ext->Synchronous = RamCtlOptionPresent("ramdisk.sync");
    ext->LatencyUs = (ULONG)RamCtlOptionNumber("ramdisk.latency", 0);
    /* ramdisk.batch=N: a controller with command queueing posts one interrupt for the command
     * it was working on and up to N - 1 queued behind it (default 1: one interrupt each). */
    ext->Batch = (ULONG)RamCtlOptionNumber("ramdisk.batch", 1); /* 1-64: the boot options check it */
    RdpFindImage(ext);
    /* ramdisk.cpu=N: the "controller" interrupts processor N, so the ISR, its DPC and every
     * completion routine run there, whichever processor sent the request. */
    BOOLEAN routed = FALSE;
    ULONG target = (ULONG)RamCtlOptionNumber("ramdisk.cpu", 0);
    if (RamCtlOptionPresent("ramdisk.cpu") && !(routed = RamCtlRouteToProcessor(target)))
        DbgPrint("RAMDISK: ramdisk.cpu names a processor that is not running; interrupting the requester's\n");

    status = IoConnectInterrupt(&ext->Interrupt, RdInterruptService, ext, NULL, RD_VECTOR, RD_DIRQL, RD_DIRQL,
                                Latched, FALSE, 1, FALSE);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(dev);
        return status;
    }
    if (ext->LatencyUs) {
        ext->Gsi = RamCtlConnectTimer(RD_VECTOR);
        ext->TimerConnected = TRUE;
    }

    DriverObject->MajorFunction[IRP_MJ_CREATE] = RdpCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = RdpCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = RdpCreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = RdDispatchReadWrite;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = RdDispatchReadWrite;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = RdDispatchDeviceControl;
    DriverObject->DriverUnload = RdpUnload;
    dev->Flags |= DO_DIRECT_IO;
    dev->AlignmentRequirement = 0;
    dev->Flags &= ~DO_DEVICE_INITIALIZING;
    DbgPrint("RAMDISK: \\Device\\RamDisk0 ready, %s, interrupt vector 0x%x at DIRQL %u via %s",
             ext->Synchronous ? "synchronous" : "asynchronous", RD_VECTOR, RD_DIRQL,
             ext->LatencyUs ? "PIT one-shot through the I/O APIC" : routed ? "IPI" : "self-IPI");
    if (routed)
        DbgPrint(" to processor %u (ramdisk.cpu)", target);
    if (ext->Batch > 1)
        DbgPrint(", up to %u commands an interrupt (ramdisk.batch)", ext->Batch);
    DbgPrint("\n");
    return STATUS_SUCCESS;
}

IRQLAB_BUILTIN_DRIVER(10, L"\\Driver\\RamDisk", RdDriverEntry);
