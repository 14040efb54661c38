/* drivers/fltmgr/fltmgr.c - the Filter Manager as Windows builds it: a legacy filter that attaches
 * a frame device to each file system and each volume it mounts, and calls minifilters from there. */
#include "fltmgrp.h"

FLTP_GLOBALS FltpGlobals;

/* IRQL == PASSIVE_LEVEL. An unnamed frame device on top of Target's stack. */
NTSTATUS FltpAttachFrame(PDEVICE_OBJECT Target, PFLT_VOLUME Volume, PDEVICE_OBJECT *Frame)
{
    PDEVICE_OBJECT dev;
    NTSTATUS status = IoCreateDevice(FltpGlobals.Driver, sizeof(FLTP_FRAME_EXTENSION), NULL, Target->DeviceType,
                                     0, FALSE, &dev);
    if (!NT_SUCCESS(status))
        return status;
    PFLTP_FRAME_EXTENSION ext = dev->DeviceExtension;
    ext->Volume = Volume;
    status = IoAttachDeviceToDeviceStackSafe(dev, Target, &ext->AttachedTo);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(dev);
        return status;
    }
    dev->Flags |= ext->AttachedTo->Flags & (DO_BUFFERED_IO | DO_DIRECT_IO);
    dev->Flags &= ~DO_DEVICE_INITIALIZING;
    *Frame = dev;
    return STATUS_SUCCESS;
}

/* IRQL == PASSIVE_LEVEL. A volume object for a freshly mounted volume, named after the storage
 * device (the name minifilters see in FltGetVolumeName and in file names). */
static PFLT_VOLUME FltpCreateVolume(PVPB Vpb)
{
    PFLT_VOLUME v = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*v), FLTP_TAG);
    UCHAR buf[sizeof(OBJECT_NAME_INFORMATION) + sizeof(v->NameBuffer)];
    POBJECT_NAME_INFORMATION oni = (POBJECT_NAME_INFORMATION)buf;
    ULONG len;
    if (!v)
        return NULL;
    v->Signature = FLTP_VOLUME_SIG;
    v->FsVolume = Vpb->DeviceObject;
    v->RealDevice = Vpb->RealDevice;
    InitializeListHead(&v->Instances);
    v->Name.Buffer = v->NameBuffer;
    v->Name.MaximumLength = sizeof(v->NameBuffer);
    if (NT_SUCCESS(ObQueryNameString(Vpb->RealDevice, oni, sizeof(buf), &len)) &&
        oni->Name.Length <= sizeof(v->NameBuffer)) {
        RtlCopyMemory(v->NameBuffer, oni->Name.Buffer, oni->Name.Length);
        v->Name.Length = oni->Name.Length;
    }
    return v;
}

static NTSTATUS FltpMountCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* IRQL == PASSIVE_LEVEL. After the file system mounted the volume, frame it and offer it to
 * every started filter (FLTFL_INSTANCE_SETUP_NEWLY_MOUNTED_VOLUME). */
static NTSTATUS FltpMount(PFLTP_FRAME_EXTENSION Ext, PIRP Irp)
{
    PVPB vpb = IoGetCurrentIrpStackLocation(Irp)->Parameters.MountVolume.Vpb;
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, FltpMountCompletion, &event, TRUE, TRUE, TRUE);
    if (IoCallDriver(Ext->AttachedTo, Irp) == STATUS_PENDING)
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    NTSTATUS status = Irp->IoStatus.Status;
    if (NT_SUCCESS(status) && vpb && vpb->DeviceObject) {
        PFLT_VOLUME v = FltpCreateVolume(vpb);
        if (v && NT_SUCCESS(FltpAttachFrame(vpb->DeviceObject, v, &v->Frame))) {
            KIRQL irql;
            KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
            InsertTailList(&FltpGlobals.Volumes, &v->Link);
            KeReleaseSpinLock(&FltpGlobals.Lock, irql);
            for (PLIST_ENTRY l = FltpGlobals.Filters.Flink; l != &FltpGlobals.Filters; l = l->Flink) {
                PFLT_FILTER f = CONTAINING_RECORD(l, FLT_FILTER, Link);
                if (f->Started && !f->Unloading)
                    FltpAutoAttach(f, v, FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT |
                                             FLTFL_INSTANCE_SETUP_NEWLY_MOUNTED_VOLUME);
            }
        } else if (v) {
            ExFreePoolWithTag(v, FLTP_TAG);
        }
    }
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* IRQL <= DISPATCH_LEVEL. On a file system's control device only mounts are of interest. */
static NTSTATUS FltpControlDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFLTP_FRAME_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    if (sl->MajorFunction == IRP_MJ_FILE_SYSTEM_CONTROL && sl->MinorFunction == IRP_MN_MOUNT_VOLUME)
        return FltpMount(ext, Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(ext->AttachedTo, Irp);
}

/* The dispatch routine of every major function: control devices pass through, volume
 * frames run the minifilters' callbacks (fltdispatch.c). */
static NTSTATUS FltpFrameDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFLTP_FRAME_EXTENSION ext = DeviceObject->DeviceExtension;
    return ext->Volume ? FltpDispatch(DeviceObject, Irp) : FltpControlDispatch(DeviceObject, Irp);
}

/* FAST_IO_DETACH_DEVICE, IRQL == PASSIVE_LEVEL: the file system deletes a dismounted volume.
 * Every instance on it is torn down (FLTFL_INSTANCE_TEARDOWN_VOLUME_DISMOUNT), then the
 * frame detaches and goes. */
VOID FltpFastIoDetachDevice(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice)
{
    PFLTP_FRAME_EXTENSION ext = SourceDevice->DeviceExtension;
    PFLT_VOLUME v = ext->Volume;
    if (v) {
        KIRQL irql;
        v->Dismounting = TRUE;
        while (!IsListEmpty(&v->Instances))
            FltpTeardownInstance(CONTAINING_RECORD(v->Instances.Flink, FLT_INSTANCE, VolumeLink),
                                 FLTFL_INSTANCE_TEARDOWN_VOLUME_DISMOUNT);
        KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
        RemoveEntryList(&v->Link);
        KeReleaseSpinLock(&FltpGlobals.Lock, irql);
        ExFreePoolWithTag(v, FLTP_TAG);
    }
    IoDetachDevice(TargetDevice);
    IoDeleteDevice(SourceDevice);
}

static VOID FltpFsNotification(PDEVICE_OBJECT DeviceObject, BOOLEAN FsActive)
{
    PDEVICE_OBJECT frame;
    if (FsActive)
        FltpAttachFrame(DeviceObject, NULL, &frame);
}

/* IRQL == PASSIVE_LEVEL. Loaded before the legacy filters, as on Windows, so a legacy filter
 * attaches above the Filter Manager's frame. */
NTSTATUS FltMgrDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    FltpGlobals.Driver = DriverObject;
    KeInitializeSpinLock(&FltpGlobals.Lock);
    InitializeListHead(&FltpGlobals.Filters);
    InitializeListHead(&FltpGlobals.Volumes);
    DriverObject->FastIoDispatch = &FltpFastIoDispatch;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        DriverObject->MajorFunction[i] = FltpFrameDispatch;
    return IoRegisterFsRegistrationChange(DriverObject, FltpFsNotification);
}

IRQLAB_BUILTIN_DRIVER(25, L"\\FileSystem\\FltMgr", FltMgrDriverEntry);
