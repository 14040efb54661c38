/* drivers/fat/fsdentry.c - DriverEntry of the FAT file system: the control device
 * \FileSystem\Fat, registration with the I/O manager, the dispatch table, shared helpers. */
#include "fsd.h"

PDEVICE_OBJECT FatControlDevice;

/* IRQL <= DISPATCH_LEVEL. */
NTSTATUS FatFsdComplete(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    IoCompleteRequest(Irp, IO_DISK_INCREMENT);
    return Status;
}

/* The caller's buffer: an MDL's system address when the I/O manager built one, else the
 * kernel-mode caller's own buffer (neither I/O). */
PVOID FatFsdUserBuffer(PIRP Irp)
{
    if (Irp->MdlAddress)
        return MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    return Irp->UserBuffer;
}

/* DOS date/time (local, 2-second units) to NT time (100 ns since 1601-01-01). */
LONGLONG FatFsdDosTimeToNt(USHORT Date, USHORT Time)
{
    static const USHORT cumulative[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    ULONG year = 1980 + (Date >> 9), month = (Date >> 5) & 15, day = Date & 31;
    if (month < 1 || month > 12 || day < 1)
        return 0;
    ULONG64 days = (ULONG64)(year - 1601) * 365 + (year - 1601) / 4 - (year - 1601) / 100 + (year - 1601) / 400;
    days += cumulative[month - 1] + day - 1;
    if (month > 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
        days++;
    ULONG64 secs = days * 86400 + (Time >> 11) * 3600 + ((Time >> 5) & 63) * 60 + (Time & 31) * 2;
    return (LONGLONG)(secs * 10000000ULL);
}

static NTSTATUS FatFsdpControlCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    return FatFsdComplete(Irp, STATUS_SUCCESS, 0);
}

/* What a volume handle (FsContext is the VCB, not a file) may do besides cleanup, close and
 * file-system control: query the volume and flush it. Raw sector I/O through a volume handle
 * (Windows' DASD access) is not offered. */
static NTSTATUS FatFsdpNotOnVolume(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    return FatFsdComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
}
static NTSTATUS FatFsdpFlushOnVolume(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return FatFsdFlushVolume(DeviceObject->DeviceExtension, Irp);
}

/* Requests on the control device other than mount and open/close are not for it. */
static NTSTATUS FatFsdpRoute(PDEVICE_OBJECT DeviceObject, PIRP Irp, PDRIVER_DISPATCH File, PDRIVER_DISPATCH Volume)
{
    if (DeviceObject == FatControlDevice)
        return FatFsdComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    if (FatFsdIsVolumeOpen(DeviceObject, IoGetCurrentIrpStackLocation(Irp)->FileObject))
        return Volume(DeviceObject, Irp);
    return File(DeviceObject, Irp);
}

#define FSD_ROUTE(name, file, volume) \
    static NTSTATUS name(PDEVICE_OBJECT D, PIRP I) { return FatFsdpRoute(D, I, file, volume); }
FSD_ROUTE(FatFsdpRead, FatFsdRead, FatFsdpNotOnVolume)
FSD_ROUTE(FatFsdpWrite, FatFsdWrite, FatFsdpNotOnVolume)
FSD_ROUTE(FatFsdpFlush, FatFsdFlush, FatFsdpFlushOnVolume)
FSD_ROUTE(FatFsdpQueryInfo, FatFsdQueryInformation, FatFsdpNotOnVolume)
FSD_ROUTE(FatFsdpSetInfo, FatFsdSetInformation, FatFsdpNotOnVolume)
FSD_ROUTE(FatFsdpQueryVolume, FatFsdQueryVolumeInformation, FatFsdQueryVolumeInformation)
FSD_ROUTE(FatFsdpDirectory, FatFsdDirectoryControl, FatFsdpNotOnVolume)

static NTSTATUS FatFsdpCreate(PDEVICE_OBJECT D, PIRP I)
{
    return D == FatControlDevice ? FatFsdpControlCreateClose(D, I) : FatFsdCreate(D, I);
}
static NTSTATUS FatFsdpCleanup(PDEVICE_OBJECT D, PIRP I)
{
    return D == FatControlDevice ? FatFsdpControlCreateClose(D, I) : FatFsdCleanup(D, I);
}
static NTSTATUS FatFsdpClose(PDEVICE_OBJECT D, PIRP I)
{
    return D == FatControlDevice ? FatFsdpControlCreateClose(D, I) : FatFsdClose(D, I);
}

/* IRQL == PASSIVE_LEVEL. */
NTSTATUS FatDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\FileSystem\\Fat");
    NTSTATUS status;
    UNREFERENCED_PARAMETER(RegistryPath);

    status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &FatControlDevice);
    if (!NT_SUCCESS(status))
        return status;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = FatFsdpCreate;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = FatFsdpCleanup;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = FatFsdpClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = FatFsdpRead;
    DriverObject->MajorFunction[IRP_MJ_WRITE] = FatFsdpWrite;
    DriverObject->MajorFunction[IRP_MJ_FLUSH_BUFFERS] = FatFsdpFlush;
    DriverObject->MajorFunction[IRP_MJ_QUERY_INFORMATION] = FatFsdpQueryInfo;
    DriverObject->MajorFunction[IRP_MJ_SET_INFORMATION] = FatFsdpSetInfo;
    DriverObject->MajorFunction[IRP_MJ_QUERY_VOLUME_INFORMATION] = FatFsdpQueryVolume;
    DriverObject->MajorFunction[IRP_MJ_DIRECTORY_CONTROL] = FatFsdpDirectory;
    DriverObject->MajorFunction[IRP_MJ_FILE_SYSTEM_CONTROL] = FatFsdFileSystemControl;
    FatControlDevice->Flags &= ~DO_DEVICE_INITIALIZING;
    DriverObject->FastIoDispatch = &FatFsdFastIoDispatch;
    IoRegisterFileSystem(FatControlDevice);
    return STATUS_SUCCESS;
}

IRQLAB_BUILTIN_DRIVER(20, L"\\FileSystem\\FatDriver", FatDriverEntry);

/* IRQL <= APC_LEVEL. The volume lock if it is free now (fast I/O must not wait for it). */
BOOLEAN FatFsdTryLock(PFSD_VCB Vcb)
{
    KeEnterCriticalRegion();
    if (InterlockedCompareExchange(&Vcb->LockCount, 0, 1) == 1)
        return TRUE;
    KeLeaveCriticalRegion();
    return FALSE;
}
