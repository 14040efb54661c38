/* sioctl.c - a sample IOCTL driver written the way WDK samples are: a control device with a
 * DOS name, one IOCTL per transfer method (buffered, in/out direct, neither with probing). */
#include <ntddk.h>
#include <string.h>
#include "sioctl.h"

#define SIOCTL_KDPRINT(_x_) \
    DbgPrint("SIOCTL.SYS: ");   \
    DbgPrint _x_;

DRIVER_INITIALIZE DriverEntry;
_Dispatch_type_(IRP_MJ_CREATE) _Dispatch_type_(IRP_MJ_CLOSE) DRIVER_DISPATCH SioctlCreateClose;
_Dispatch_type_(IRP_MJ_DEVICE_CONTROL) DRIVER_DISPATCH SioctlDeviceControl;
DRIVER_UNLOAD SioctlUnloadDriver;
VOID PrintIrpInfo(PIRP Irp);
VOID PrintChars(_In_reads_(CountChars) PCHAR BufferAddress, _In_ size_t CountChars);

#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, SioctlCreateClose)
#pragma alloc_text(PAGE, SioctlDeviceControl)
#pragma alloc_text(PAGE, SioctlUnloadDriver)
#pragma alloc_text(PAGE, PrintIrpInfo)
#pragma alloc_text(PAGE, PrintChars)
#endif

_Use_decl_annotations_
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS ntStatus;
    UNICODE_STRING ntUnicodeString;
    UNICODE_STRING ntWin32NameString;
    PDEVICE_OBJECT deviceObject = NULL;

    UNREFERENCED_PARAMETER(RegistryPath);
    RtlInitUnicodeString(&ntUnicodeString, SIOCTL_DEVICE_NAME);
    ntStatus = IoCreateDevice(DriverObject, 0, &ntUnicodeString, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN,
                              FALSE, &deviceObject);
    if (!NT_SUCCESS(ntStatus)) {
        SIOCTL_KDPRINT(("Couldn't create the device object\n"));
        return ntStatus;
    }
    DriverObject->MajorFunction[IRP_MJ_CREATE] = SioctlCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = SioctlCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = SioctlDeviceControl;
    DriverObject->DriverUnload = SioctlUnloadDriver;

    RtlInitUnicodeString(&ntWin32NameString, SIOCTL_DOS_NAME);
    ntStatus = IoCreateSymbolicLink(&ntWin32NameString, &ntUnicodeString);
    if (!NT_SUCCESS(ntStatus)) {
        SIOCTL_KDPRINT(("Couldn't create symbolic link\n"));
        IoDeleteDevice(deviceObject);
    }
    return ntStatus;
}

_Use_decl_annotations_
NTSTATUS SioctlCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    PAGED_CODE();
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID SioctlUnloadDriver(PDRIVER_OBJECT DriverObject)
{
    PDEVICE_OBJECT deviceObject = DriverObject->DeviceObject;
    UNICODE_STRING uniWin32NameString;
    PAGED_CODE();
    RtlInitUnicodeString(&uniWin32NameString, SIOCTL_DOS_NAME);
    IoDeleteSymbolicLink(&uniWin32NameString);
    if (deviceObject != NULL)
        IoDeleteDevice(deviceObject);
}

_Use_decl_annotations_
NTSTATUS SioctlDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION irpSp;
    NTSTATUS ntStatus = STATUS_SUCCESS;
    ULONG inBufLength, outBufLength;
    PCHAR inBuf, outBuf;
    PCHAR data = SIOCTL_REPLY;
    size_t datalen = strlen(data) + 1;
    PMDL mdl = NULL;
    PCHAR buffer = NULL;

    UNREFERENCED_PARAMETER(DeviceObject);
    PAGED_CODE();
    irpSp = IoGetCurrentIrpStackLocation(Irp);
    inBufLength = irpSp->Parameters.DeviceIoControl.InputBufferLength;
    outBufLength = irpSp->Parameters.DeviceIoControl.OutputBufferLength;
    if (!inBufLength || !outBufLength) {
        ntStatus = STATUS_INVALID_PARAMETER;
        goto End;
    }

    switch (irpSp->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_SIOCTL_METHOD_BUFFERED:
        SIOCTL_KDPRINT(("Called IOCTL_SIOCTL_METHOD_BUFFERED\n"));
        PrintIrpInfo(Irp);
        inBuf = Irp->AssociatedIrp.SystemBuffer;
        outBuf = Irp->AssociatedIrp.SystemBuffer;
        PrintChars(inBuf, inBufLength);
        RtlCopyBytes(outBuf, data, outBufLength);
        Irp->IoStatus.Information = (outBufLength < datalen ? outBufLength : datalen);
        break;

    case IOCTL_SIOCTL_METHOD_NEITHER:
        SIOCTL_KDPRINT(("Called IOCTL_SIOCTL_METHOD_NEITHER\n"));
        PrintIrpInfo(Irp);
        inBuf = irpSp->Parameters.DeviceIoControl.Type3InputBuffer;
        outBuf = Irp->UserBuffer;
        __try {
            /* a user-mode caller's buffers are probed; a kernel-mode caller's are trusted */
            if (Irp->RequestorMode != KernelMode) {
                ProbeForRead(inBuf, inBufLength, sizeof(UCHAR));
                ProbeForWrite(outBuf, outBufLength, sizeof(UCHAR));
            }
            PrintChars(inBuf, inBufLength);
            RtlCopyBytes(outBuf, data, outBufLength < datalen ? outBufLength : datalen);
            Irp->IoStatus.Information = (outBufLength < datalen ? outBufLength : datalen);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            ntStatus = GetExceptionCode();
            SIOCTL_KDPRINT(("Exception while accessing the buffers 0x%08X\n", ntStatus));
            Irp->IoStatus.Information = 0;
        }
        break;

    case IOCTL_SIOCTL_METHOD_IN_DIRECT:
        SIOCTL_KDPRINT(("Called IOCTL_SIOCTL_METHOD_IN_DIRECT\n"));
        PrintIrpInfo(Irp);
        inBuf = Irp->AssociatedIrp.SystemBuffer;
        PrintChars(inBuf, inBufLength);
        /* the second buffer holds data for the device: read it through the MDL */
        buffer = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority | MdlMappingNoExecute);
        if (!buffer) {
            ntStatus = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        PrintChars(buffer, outBufLength);
        Irp->IoStatus.Information = MmGetMdlByteCount(Irp->MdlAddress);
        break;

    case IOCTL_SIOCTL_METHOD_OUT_DIRECT:
        SIOCTL_KDPRINT(("Called IOCTL_SIOCTL_METHOD_OUT_DIRECT\n"));
        PrintIrpInfo(Irp);
        inBuf = Irp->AssociatedIrp.SystemBuffer;
        PrintChars(inBuf, inBufLength);
        mdl = Irp->MdlAddress;
        buffer = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
        if (!buffer) {
            ntStatus = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        RtlCopyBytes(buffer, data, outBufLength < datalen ? outBufLength : datalen);
        Irp->IoStatus.Information = (outBufLength < datalen ? outBufLength : datalen);
        break;

    default:
        ntStatus = STATUS_INVALID_DEVICE_REQUEST;
        SIOCTL_KDPRINT(("ERROR: unrecognized IOCTL %x\n", irpSp->Parameters.DeviceIoControl.IoControlCode));
        break;
    }

End:
    Irp->IoStatus.Status = ntStatus;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return ntStatus;
}

VOID PrintIrpInfo(PIRP Irp)
{
    PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
    PAGED_CODE();
    SIOCTL_KDPRINT(("\tIrp->AssociatedIrp.SystemBuffer = 0x%p\n", Irp->AssociatedIrp.SystemBuffer));
    SIOCTL_KDPRINT(("\tIrp->UserBuffer = 0x%p\n", Irp->UserBuffer));
    SIOCTL_KDPRINT(("\tirpSp->Parameters.DeviceIoControl.Type3InputBuffer = 0x%p\n",
                    irpSp->Parameters.DeviceIoControl.Type3InputBuffer));
    SIOCTL_KDPRINT(("\tirpSp->Parameters.DeviceIoControl.InputBufferLength = %d\n",
                    irpSp->Parameters.DeviceIoControl.InputBufferLength));
    SIOCTL_KDPRINT(("\tirpSp->Parameters.DeviceIoControl.OutputBufferLength = %d\n",
                    irpSp->Parameters.DeviceIoControl.OutputBufferLength));
}

_Use_decl_annotations_
VOID PrintChars(PCHAR BufferAddress, size_t CountChars)
{
    PAGED_CODE();
    if (CountChars) {
        DbgPrint("SIOCTL.SYS: \t");
        while (CountChars--) {
            if (*BufferAddress > 31 && *BufferAddress != 127)
                KdPrint(("%c", *BufferAddress));
            else
                KdPrint(("."));
            BufferAddress++;
        }
        KdPrint(("\n"));
    }
}
