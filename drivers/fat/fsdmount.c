/* drivers/fat/fsdmount.c - file-system control: mounting a volume (a volume device over the
 * disk, wired to its VPB), dismount (the disk gets a fresh VPB), and oplock requests, which
 * are granted at once and never pended. */
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
    KeInitializeEvent(&vcb->Lock, SynchronizationEvent, FALSE); /* set only to hand the lock on */
    vcb->LockCount = 1;
    InitializeListHead(&vcb->Fcbs);
    vdo->StackSize = (CCHAR)(target->StackSize + 1);
    /* Allocated now so that dismount cannot fail for want of memory (fastfat's SwapVpb). The
     * I/O manager frees it with the disk, hence its tag. */
    vcb->SpareVpb = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(VPB), IO_VPB_TAG);
    status = vcb->SpareVpb ? FatMountVolume(FatFsdDiskIo, vcb, (ULONG64)length.Length.QuadPart, &vcb->Volume)
                           : STATUS_INSUFFICIENT_RESOURCES;
    if (!NT_SUCCESS(status)) {
        if (vcb->SpareVpb)
            ExFreePoolWithTag(vcb->SpareVpb, IO_VPB_TAG);
        IoDeleteDevice(vdo);
        return FatFsdComplete(Irp, status, 0);
    }
    FatSetTimeSource(vcb->Volume, FatFsdStampTime, NULL); /* else every stamp is 1980-01-01 */
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

/* IRQL == PASSIVE_LEVEL, VCB lock held. The disk gets the spare VPB, not mounted, so the
 * next open mounts it afresh; the old VPB stays with this volume device and the files still
 * open on it (the volume handles), and the I/O manager frees it with the last of them. */
static VOID FatFsdpSwapVpb(PFSD_VCB Vcb)
{
    PVPB old = Vcb->Vpb, fresh = Vcb->SpareVpb;
    KIRQL irql;
    Vcb->SpareVpb = NULL;
    fresh->Type = IO_TYPE_VPB;
    fresh->Size = sizeof(VPB);
    fresh->RealDevice = old->RealDevice;
    IoAcquireVpbSpinLock(&irql);
    old->RealDevice->Vpb = fresh;
    old->Flags &= ~VPB_MOUNTED;
    IoReleaseVpbSpinLock(irql);
}

/* IRQL == PASSIVE_LEVEL. Only on a volume handle (else STATUS_INVALID_PARAMETER, as fastfat).
 * Flushes and frees the engine volume and gives the disk back for mounting; the volume
 * device goes when its last open closes (FatFsdCloseVolume). Windows would also invalidate
 * files still open on the volume; here dismount is refused with STATUS_ACCESS_DENIED while
 * any file other than a volume open is open (close them first). */
static NTSTATUS FatFsdpDismount(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFSD_VCB vcb = DeviceObject->DeviceExtension;
    NTSTATUS status;
    if (!FatFsdIsVolumeOpen(DeviceObject, IoGetCurrentIrpStackLocation(Irp)->FileObject))
        return FatFsdComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    FatFsdLock(vcb);
    if (vcb->Dismounted) {
        FatFsdUnlock(vcb);
        return FatFsdComplete(Irp, STATUS_VOLUME_DISMOUNTED, 0);
    }
    if (!IsListEmpty(&vcb->Fcbs)) {
        FatFsdUnlock(vcb);
        return FatFsdComplete(Irp, STATUS_ACCESS_DENIED, 0);
    }
    status = FatDismountVolume(vcb->Volume);
    vcb->Volume = NULL;
    vcb->Dismounted = TRUE;
    FatFsdpSwapVpb(vcb);
    FatFsdUnlock(vcb);
    DbgPrint("FAT: volume dismounted (0x%08x); the device goes with its last open\n", (ULONG)status);
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
