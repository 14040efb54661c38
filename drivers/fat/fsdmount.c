/* drivers/fat/fsdmount.c - file-system control: mounting a volume (a volume device over the
 * disk, wired to its VPB), dismount, and oplock requests, which are granted at once and
 * never pended. */
#include "fsd.h"

/* IRQL == PASSIVE_LEVEL. Anything the engine refuses is refused with its status: a disk that
 * is not FAT gets STATUS_UNRECOGNIZED_VOLUME, a damaged one STATUS_DISK_CORRUPT_ERROR. */
static NTSTATUS FatFsdpMount(PIRP Irp)
{
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    PDEVICE_OBJECT target = sl->Parameters.MountVolume.DeviceObject, vdo;
    PVPB vpb = sl->Parameters.MountVolume.Vpb;
    GET_LENGTH_INFORMATION length;
    IO_STATUS_BLOCK iosb;
    KEVENT event;
    PFSD_VCB vcb;
    FAT_VOLUME_INFO info;
    NTSTATUS status;

    KeInitializeEvent(&event, NotificationEvent, FALSE);
    PIRP q = IoBuildDeviceIoControlRequest(IOCTL_DISK_GET_LENGTH_INFO, target, NULL, 0, &length, sizeof(length),
                                           FALSE, &event, &iosb);
    if (!q)
        return FatFsdComplete(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    if (IoCallDriver(target, q) == STATUS_PENDING)
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    if (!NT_SUCCESS(iosb.Status))
        return FatFsdComplete(Irp, STATUS_UNRECOGNIZED_VOLUME, 0);

    status = IoCreateDevice(FatControlDevice->DriverObject, sizeof(FSD_VCB), NULL, FILE_DEVICE_DISK_FILE_SYSTEM,
                            0, FALSE, &vdo);
    if (!NT_SUCCESS(status))
        return FatFsdComplete(Irp, status, 0);
    vcb = vdo->DeviceExtension;
    RtlZeroMemory(vcb, sizeof(*vcb));
    vcb->VolumeDevice = vdo;
    vcb->TargetDevice = target;
    vcb->Vpb = vpb;
    KeInitializeEvent(&vcb->Lock, SynchronizationEvent, TRUE);
    InitializeListHead(&vcb->Fcbs);
    vdo->StackSize = (CCHAR)(target->StackSize + 1);

    status = FatMountVolume(FatFsdDiskIo, vcb, (ULONG64)length.Length.QuadPart, &vcb->Volume);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(vdo);
        return FatFsdComplete(Irp, status, 0);
    }
    FatQueryVolumeInformation(vcb->Volume, &info);
    vpb->SerialNumber = info.SerialNumber;
    vpb->VolumeLabelLength = (USHORT)(info.LabelLength * sizeof(WCHAR));
    RtlCopyMemory(vpb->VolumeLabel, info.Label, vpb->VolumeLabelLength);
    vpb->DeviceObject = vdo;
    vpb->Flags |= VPB_MOUNTED;
    vdo->Vpb = vpb;
    vdo->Flags &= ~DO_DEVICE_INITIALIZING;
    CHAR label[12];
    for (ULONG k = 0; k < 12; k++)
        label[k] = k < info.LabelLength && info.Label[k] < 128 ? (CHAR)info.Label[k] : 0;
    DbgPrint("FAT: mounted FAT%u volume '%s' (serial %08x), %u clusters of %u bytes\n", info.FatType, label,
             info.SerialNumber, info.TotalClusters, info.BytesPerCluster);
    return FatFsdComplete(Irp, STATUS_SUCCESS, 0);
}

/* IRQL == PASSIVE_LEVEL. Flushes and frees the volume; open files must be closed. */
static NTSTATUS FatFsdpDismount(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFSD_VCB vcb = DeviceObject->DeviceExtension;
    NTSTATUS status;
    FatFsdLock(vcb);
    if (!vcb->Volume) {
        FatFsdUnlock(vcb);
        return FatFsdComplete(Irp, STATUS_VOLUME_DISMOUNTED, 0);
    }
    if (!IsListEmpty(&vcb->Fcbs)) {
        FatFsdUnlock(vcb);
        return FatFsdComplete(Irp, STATUS_ACCESS_DENIED, 0);
    }
    status = FatDismountVolume(vcb->Volume);
    vcb->Volume = NULL;
    vcb->Vpb->Flags &= ~VPB_MOUNTED;
    FatFsdUnlock(vcb);
    return FatFsdComplete(Irp, status, 0);
}

static BOOLEAN FatFsdpIsOplockRequest(ULONG Code)
{
    return Code == FSCTL_REQUEST_OPLOCK_LEVEL_1 || Code == FSCTL_REQUEST_OPLOCK_LEVEL_2 ||
           Code == FSCTL_REQUEST_BATCH_OPLOCK || Code == FSCTL_REQUEST_FILTER_OPLOCK ||
           Code == FSCTL_OPLOCK_BREAK_ACKNOWLEDGE || Code == FSCTL_OPBATCH_ACK_CLOSE_PENDING ||
           Code == FSCTL_OPLOCK_BREAK_NOTIFY || Code == FSCTL_REQUEST_OPLOCK;
}

/* IRQL == PASSIVE_LEVEL. */
NTSTATUS FatFsdFileSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    ULONG code = sl->Parameters.FileSystemControl.FsControlCode;

    if (DeviceObject == FatControlDevice)
        return sl->MinorFunction == IRP_MN_MOUNT_VOLUME ? FatFsdpMount(Irp)
                                                        : FatFsdComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    if (sl->MinorFunction != IRP_MN_USER_FS_REQUEST)
        return FatFsdComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    if (code == FSCTL_DISMOUNT_VOLUME)
        return FatFsdpDismount(DeviceObject, Irp);
    /* A single-node volume never has to break an oplock, so each is granted synchronously. */
    if (FatFsdpIsOplockRequest(code))
        return FatFsdComplete(Irp, STATUS_SUCCESS, 0);
    return FatFsdComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
}
