/* io/device.c - device objects: creation with an extension and a name, deletion, and
 * device stacks (attach, detach, the top of a stack). */
#include "iop.h"

static VOID IopDeleteDevice(PVOID Object);
OBJECT_TYPE IopDeviceType = { "Device", 'vdDI', IopDeleteDevice, NULL };
static POBJECT_TYPE IopDeviceTypePointer = &IopDeviceType;
POBJECT_TYPE *IoDeviceObjectType = &IopDeviceTypePointer;
static KSPIN_LOCK IopDatabaseLock; /* guards AttachedDevice/AttachedTo links */

/* A file system's volume device points at the VPB of the storage device it mounted; only
 * the storage device's own VPB goes with it. */
static VOID IopDeleteDevice(PVOID Object)
{
    PDEVICE_OBJECT d = Object;
    if (d->Vpb && d->Vpb->RealDevice == d)
        ExFreePoolWithTag(d->Vpb, IO_VPB_TAG);
    ObDereferenceObject(d->DriverObject);
}

static BOOLEAN IopDeviceHasVpb(ULONG Type)
{
    return Type == FILE_DEVICE_DISK || Type == FILE_DEVICE_CD_ROM ||
           Type == FILE_DEVICE_MASS_STORAGE;
}

/* PASSIVE_LEVEL. The device starts with DO_DEVICE_INITIALIZING; the driver clears it. */
NTSTATUS IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
                        ULONG DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                        PDEVICE_OBJECT *DeviceObject)
{
    PDEVICE_OBJECT d;
    VF_DDI_CHECK(IoCreateDevice);
    if (VfShouldFail(VfSiteDevice, DeviceType, __builtin_return_address(0)))
        return STATUS_INSUFFICIENT_RESOURCES;
    ULONG ext = (DeviceExtensionSize + 15) & ~15u;
    NTSTATUS st = ObCreateObject(&IopDeviceType, sizeof(DEVICE_OBJECT) + sizeof(DEVOBJ_EXTENSION) + ext,
                                 DeviceName, (PVOID *)&d);
    if (!NT_SUCCESS(st))
        return st;
    d->Type = IO_TYPE_DEVICE;
    d->Size = (USHORT)(sizeof(DEVICE_OBJECT) + ext);
    d->DriverObject = DriverObject;
    d->DeviceType = DeviceType;
    d->Characteristics = DeviceCharacteristics;
    d->StackSize = 1;
    d->SectorSize = DeviceType == FILE_DEVICE_DISK ? 512 : 0;
    d->Flags = DO_DEVICE_INITIALIZING | (Exclusive ? DO_EXCLUSIVE : 0);
    KeInitializeDeviceQueue(&d->DeviceQueue);
    d->DeviceExtension = DeviceExtensionSize ? (PVOID)((PUCHAR)(d + 1) + sizeof(DEVOBJ_EXTENSION)) : NULL;
    d->DeviceObjectExtension = (PDEVOBJ_EXTENSION)(d + 1);
    d->DeviceObjectExtension->DeviceObject = d;
    if (IopDeviceHasVpb(DeviceType)) {
        d->Vpb = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(VPB), IO_VPB_TAG);
        if (!d->Vpb) {
            ObDereferenceObject(d);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        d->Vpb->Type = IO_TYPE_VPB;
        d->Vpb->Size = sizeof(VPB);
        d->Vpb->RealDevice = d;
    }
    ObReferenceObject(DriverObject); /* dropped when the device object goes */
    if (DeviceName && DeviceName->Length) {
        st = ObInsertObjectName(d);
        if (!NT_SUCCESS(st)) {
            ObDereferenceObject(d);
            return st;
        }
        d->Flags |= DO_DEVICE_HAS_NAME;
    }
    KIRQL old;
    KeAcquireSpinLock(&IopDatabaseLock, &old);
    d->NextDevice = DriverObject->DeviceObject;
    DriverObject->DeviceObject = d;
    KeReleaseSpinLock(&IopDatabaseLock, old);
    *DeviceObject = d;
    return STATUS_SUCCESS;
}

/* The second half of a delete, once the device has no opens (WRK's
 * IopCompleteUnloadOrDelete): a driver attached above is told through its
 * FastIoDetachDevice so it can detach and delete its own device. Without that routine the
 * attachment stays, and with it the attached driver's reference: the deleted device's
 * memory lives on until that driver detaches. Then the device leaves its driver's list and
 * the creation reference goes. */
static VOID IopCompleteDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
    KIRQL old;
    KeAcquireSpinLock(&IopDatabaseLock, &old);
    PDEVICE_OBJECT above = DeviceObject->AttachedDevice;
    if (above)
        ObReferenceObject(above); /* held across the call: the routine deletes it */
    KeReleaseSpinLock(&IopDatabaseLock, old);
    if (above) {
        PFAST_IO_DISPATCH fio = above->DriverObject->FastIoDispatch;
        if (fio && fio->SizeOfFastIoDispatch > FIELD_OFFSET(FAST_IO_DISPATCH, FastIoDetachDevice) &&
            fio->FastIoDetachDevice)
            fio->FastIoDetachDevice(above, DeviceObject);
        ObDereferenceObject(above);
    }
    KeAcquireSpinLock(&IopDatabaseLock, &old);
    for (PDEVICE_OBJECT *p = &DeviceObject->DriverObject->DeviceObject; *p; p = &(*p)->NextDevice) {
        if (*p == DeviceObject) {
            *p = DeviceObject->NextDevice;
            break;
        }
    }
    KeReleaseSpinLock(&IopDatabaseLock, old);
    ObDereferenceObject(DeviceObject);
}

/* IRQL <= APC_LEVEL (rule IrqlIoApcLte). The name goes at once; the rest when no file is open on the device any
 * more (DeviceObject->ReferenceCount, the I/O manager's open count), and the memory when the
 * last object reference goes. A device still attached to one below it must detach first
 * (Verifier 0xC9/0x201). A second delete of the same device is 0xC9/0x240 under I/O
 * verification (P2 the caller, P3 0, P4 the device); without it, it does nothing. */
VOID IoDeleteDevice(PDEVICE_OBJECT DeviceObject)
{
    VF_DDI_CHECK(IoDeleteDevice);
    PDEVOBJ_EXTENSION doe = DeviceObject->DeviceObjectExtension;
    if (doe->AttachedTo && IopVerifying())
        IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x201, (ULONG_PTR)__builtin_return_address(0), 0,
                        (ULONG_PTR)DeviceObject, DeviceObject, __builtin_return_address(0));
    if ((doe->ExtensionFlags & DOE_DELETE_PENDING) && IopVerifying())
        IopVerifierStop(BUGPARAMS_C9_WDM_ERROR(IOV_DELETE_DELETED_DEVICE, __builtin_return_address(0), 0, DeviceObject),
                        DeviceObject, __builtin_return_address(0));
    if (__atomic_fetch_or(&doe->ExtensionFlags, DOE_DELETE_PENDING, __ATOMIC_SEQ_CST) & DOE_DELETE_PENDING)
        return;
    ObMakeTemporaryObject(DeviceObject);
    IopDeleteDeviceTimer(DeviceObject);
    if (__atomic_load_n(&DeviceObject->ReferenceCount, __ATOMIC_SEQ_CST) == 0)
        IopCompleteDeleteDevice(DeviceObject);
}

/* PASSIVE_LEVEL. A file on the device is gone (its close was sent): the last one finishes a
 * delete that was waiting for it. */
VOID IopDeviceClosed(PDEVICE_OBJECT DeviceObject)
{
    if (__atomic_sub_fetch(&DeviceObject->ReferenceCount, 1, __ATOMIC_SEQ_CST) == 0 &&
        (DeviceObject->DeviceObjectExtension->ExtensionFlags & DOE_DELETE_PENDING))
        IopCompleteDeleteDevice(DeviceObject);
}

/* IRQL <= DISPATCH_LEVEL. */
PDEVICE_OBJECT IopTopOfStack(PDEVICE_OBJECT Device)
{
    while (Device->AttachedDevice)
        Device = Device->AttachedDevice;
    return Device;
}

/* IRQL <= DISPATCH_LEVEL. The top of TargetDevice's stack gets SourceDevice above it; the
 * source's StackSize grows to cover everything below. */
NTSTATUS IoAttachDeviceToDeviceStackSafe(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice,
                                         PDEVICE_OBJECT *AttachedToDeviceObject)
{
    KIRQL old;
    KeAcquireSpinLock(&IopDatabaseLock, &old);
    PDEVICE_OBJECT top = IopTopOfStack(TargetDevice);
    if (SourceDevice->DeviceObjectExtension->AttachedTo || top == SourceDevice) {
        KeReleaseSpinLock(&IopDatabaseLock, old);
        *AttachedToDeviceObject = NULL;
        return STATUS_INVALID_PARAMETER;
    }
    *AttachedToDeviceObject = top; /* set before the link is visible, as the Safe variant promises */
    top->AttachedDevice = SourceDevice;
    SourceDevice->StackSize = (CCHAR)(top->StackSize + 1);
    SourceDevice->AlignmentRequirement = top->AlignmentRequirement;
    SourceDevice->SectorSize = top->SectorSize;
    SourceDevice->DeviceObjectExtension->AttachedTo = top;
    ObReferenceObject(top);
    KeReleaseSpinLock(&IopDatabaseLock, old);
    return STATUS_SUCCESS;
}

/* IRQL <= DISPATCH_LEVEL. Returns the device attached to, or NULL. */
PDEVICE_OBJECT IoAttachDeviceToDeviceStack(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice)
{
    PDEVICE_OBJECT to;
    return NT_SUCCESS(IoAttachDeviceToDeviceStackSafe(SourceDevice, TargetDevice, &to)) ? to : NULL;
}

/* IRQL <= DISPATCH_LEVEL. TargetDevice is the lower device; whatever sits on it detaches.
 * Detaching from a device with nothing attached is Verifier 0xC9/0x202. */
VOID IoDetachDevice(PDEVICE_OBJECT TargetDevice)
{
    VF_DDI_CHECK(IoDetachDevice);
    KIRQL old;
    KeAcquireSpinLock(&IopDatabaseLock, &old);
    PDEVICE_OBJECT upper = TargetDevice->AttachedDevice;
    if (!upper) {
        KeReleaseSpinLock(&IopDatabaseLock, old);
        if (IopVerifying())
            IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x202, (ULONG_PTR)__builtin_return_address(0), 0,
                            (ULONG_PTR)TargetDevice, TargetDevice, __builtin_return_address(0));
        return;
    }
    upper->DeviceObjectExtension->AttachedTo = NULL;
    TargetDevice->AttachedDevice = NULL;
    KeReleaseSpinLock(&IopDatabaseLock, old);
    ObDereferenceObject(TargetDevice);
}

/* IRQL <= DISPATCH_LEVEL. */
PDEVICE_OBJECT IoGetAttachedDevice(PDEVICE_OBJECT DeviceObject) { return IopTopOfStack(DeviceObject); }

/* IRQL <= DISPATCH_LEVEL. The top of the stack, referenced for the caller. */
PDEVICE_OBJECT IoGetAttachedDeviceReference(PDEVICE_OBJECT DeviceObject)
{
    KIRQL old;
    KeAcquireSpinLock(&IopDatabaseLock, &old);
    PDEVICE_OBJECT top = IopTopOfStack(DeviceObject);
    ObReferenceObject(top);
    KeReleaseSpinLock(&IopDatabaseLock, old);
    return top;
}

/* IRQL <= DISPATCH_LEVEL. The next lower device, referenced, or NULL. */
PDEVICE_OBJECT IoGetLowerDeviceObject(PDEVICE_OBJECT DeviceObject)
{
    KIRQL old;
    KeAcquireSpinLock(&IopDatabaseLock, &old);
    PDEVICE_OBJECT lower = DeviceObject->DeviceObjectExtension->AttachedTo;
    if (lower)
        ObReferenceObject(lower);
    KeReleaseSpinLock(&IopDatabaseLock, old);
    return lower;
}
