/* fatbpb.c - volume life cycle: recognise and validate the boot sector (BPB), derive the
 * layout and FAT type, and flush, describe and dismount a mounted volume. */
#include "fatp.h"

#define FATP_BOOT_PROBE 512

static BOOLEAN FatpIsPowerOfTwo(ULONG V)
{
    return V && !(V & (V - 1));
}

/* "Is this FAT at all?" is decided only by marks every FAT formatter writes, so that a FAT
 * volume with a damaged BPB is reported as corrupt rather than as foreign. */
static BOOLEAN FatpLooksLikeFat(const UCHAR *Boot)
{
    BOOLEAN Jump = (Boot[0] == 0xEB && Boot[2] == 0x90) || Boot[0] == 0xE9;
    BOOLEAN Signature = Boot[510] == 0x55 && Boot[511] == 0xAA;
    BOOLEAN TypeString = RtlEqualMemory(Boot + 54, "FAT", 3) || RtlEqualMemory(Boot + 82, "FAT", 3);

    if (!Jump)
        return FALSE;
    /* NTFS and exFAT share the jump and signature; their OEM names tell them apart. */
    if (RtlEqualMemory(Boot + 3, "NTFS    ", 8) || RtlEqualMemory(Boot + 3, "EXFAT   ", 8))
        return FALSE;
    return Signature || TypeString;
}

static NTSTATUS FatpParseBpb(PFAT_VOLUME Vol, const UCHAR *Boot)
{
    ULONG Bps = FatLe16(Boot + 11);
    ULONG Spc = Boot[13];
    ULONG Reserved = FatLe16(Boot + 14);
    ULONG Fats = Boot[16];
    ULONG RootEntries = FatLe16(Boot + 17);
    ULONG Total = FatLe16(Boot + 19) ? FatLe16(Boot + 19) : FatLe32(Boot + 32);
    ULONG FatSz = FatLe16(Boot + 22) ? FatLe16(Boot + 22) : FatLe32(Boot + 36);
    ULONG64 Meta, DataSectors, FatBytesNeeded;
    ULONG RootSectors;

    if (Bps < 512 || Bps > 4096 || !FatpIsPowerOfTwo(Bps))
        return STATUS_DISK_CORRUPT_ERROR;
    if (!FatpIsPowerOfTwo(Spc) || Bps * Spc > 65536)
        return STATUS_DISK_CORRUPT_ERROR;
    if (Reserved == 0 || Fats == 0 || Total == 0 || FatSz == 0)
        return STATUS_DISK_CORRUPT_ERROR;
    if ((ULONG64)Total * Bps > Vol->DiskLength)
        return STATUS_DISK_CORRUPT_ERROR;

    RootSectors = (RootEntries * FAT_DIRENT_SIZE + Bps - 1) / Bps;
    Meta = (ULONG64)Reserved + (ULONG64)Fats * FatSz + RootSectors;
    if (Meta >= Total)
        return STATUS_DISK_CORRUPT_ERROR;
    DataSectors = Total - Meta;
    /* The whole FAT is kept in pool; refuse sizes whose byte count would not fit a ULONG. */
    if ((ULONG64)FatSz * Bps > 0x40000000)
        return STATUS_INSUFFICIENT_RESOURCES;

    Vol->BytesPerSector = Bps;
    Vol->SectorsPerCluster = Spc;
    Vol->BytesPerCluster = Bps * Spc;
    Vol->ReservedSectors = Reserved;
    Vol->NumberOfFats = Fats;
    Vol->RootEntryCount = RootEntries;
    Vol->TotalSectors = Total;
    Vol->FatSectors = FatSz;
    Vol->FirstRootDirSector = Reserved + Fats * FatSz;
    Vol->FirstDataSector = (ULONG)Meta;
    Vol->ClusterCount = (ULONG)(DataSectors / Spc);
    if (Vol->ClusterCount == 0 || Vol->ClusterCount > 0x0FFFFFF5)
        return STATUS_DISK_CORRUPT_ERROR;

    /* Microsoft's rule: the type follows from the cluster count alone. */
    if (Vol->ClusterCount < 4085)
        Vol->FatType = 12;
    else if (Vol->ClusterCount < 65525)
        Vol->FatType = 16;
    else
        Vol->FatType = 32;

    FatBytesNeeded = Vol->FatType == 12 ? ((ULONG64)Vol->ClusterCount + 2) * 3 / 2 + 1
                                        : ((ULONG64)Vol->ClusterCount + 2) * (Vol->FatType / 8);
    if (FatBytesNeeded > (ULONG64)FatSz * Bps)
        return STATUS_DISK_CORRUPT_ERROR;

    if (Vol->FatType == 32) {
        if (RootEntries != 0 || FatLe16(Boot + 22) != 0 || FatLe16(Boot + 42) != 0)
            return STATUS_DISK_CORRUPT_ERROR;
        Vol->RootCluster = FatLe32(Boot + 44);
        if (!FatIsValidCluster(Vol, Vol->RootCluster))
            return STATUS_DISK_CORRUPT_ERROR;
        Vol->FsInfoSector = FatLe16(Boot + 48);
        if (Vol->FsInfoSector == 0 || Vol->FsInfoSector >= Reserved)
            Vol->FsInfoSector = 0;
        if (Boot[66] == 0x29) {
            Vol->SerialNumber = FatLe32(Boot + 67);
            RtlCopyMemory(Vol->Label, Boot + 71, 11);
        }
    } else {
        if (RootEntries == 0)
            return STATUS_DISK_CORRUPT_ERROR;
        if (Boot[38] == 0x29) {
            Vol->SerialNumber = FatLe32(Boot + 39);
            RtlCopyMemory(Vol->Label, Boot + 43, 11);
        }
    }
    return STATUS_SUCCESS;
}

/* FSInfo is only a hint; a bad one is ignored rather than failing the mount. */
static VOID FatpCheckFsInfo(PFAT_VOLUME Vol)
{
    ULONG64 Off = (ULONG64)Vol->FsInfoSector * Vol->BytesPerSector;

    if (!Vol->FsInfoSector)
        return;
    if (!NT_SUCCESS(FatDiskRead(Vol, Off, Vol->Scratch, Vol->BytesPerSector)) ||
        FatLe32(Vol->Scratch) != 0x41615252 || FatLe32(Vol->Scratch + 484) != 0x61417272)
        Vol->FsInfoSector = 0;
    else
        Vol->FsInfoDirty = TRUE;    /* our free count is exact; publish it at first flush */
}

/* Windows reports the root directory's label entry, which tools keep current, over the BPB. */
static VOID FatpReadRootLabel(PFAT_VOLUME Vol)
{
    FAT_RAW_DIRENT E;
    FAT_DIR Root = FatRootDir(Vol);

    for (ULONG I = 0; I < FAT_MAX_DIR_ENTRIES; I++) {
        if (!NT_SUCCESS(FatReadDirEntry(Vol, Root, I, &E)) || E.Name[0] == 0)
            break;
        if (E.Name[0] != FAT_DELETED_MARK && (E.Attr & 0x3F) != FAT_ATTR_LONG_NAME &&
            (E.Attr & FAT_ATTR_VOLUME_ID)) {
            RtlCopyMemory(Vol->Label, E.Name, 11);
            return;
        }
    }
    if (RtlEqualMemory(Vol->Label, "NO NAME    ", 11))
        RtlFillMemory(Vol->Label, 11, ' ');
}

static VOID FatpFreeVolume(PFAT_VOLUME Vol)
{
    FatFree(Vol->Fat, FAT_TAG_TABLE);
    FatFree(Vol->FatDirty, FAT_TAG_TABLE);
    FatFree(Vol->SectorCache, FAT_TAG_BUFFER);
    FatFree(Vol->Scratch, FAT_TAG_BUFFER);
    FatFree(Vol->ZeroCluster, FAT_TAG_BUFFER);
    FatFree(Vol, FAT_TAG_VOLUME);
}

NTSTATUS FatMountVolume(FAT_SECTOR_IO Io, PVOID IoContext, ULONG64 DiskLength, PFAT_VOLUME *Volume)
{
    PFAT_VOLUME Vol;
    PUCHAR Boot;
    NTSTATUS Status;

    *Volume = NULL;
    if (!Io || DiskLength < FATP_BOOT_PROBE)
        return STATUS_UNRECOGNIZED_VOLUME;
    Vol = FatAllocate(sizeof(*Vol), FAT_TAG_VOLUME);
    Boot = FatAllocate(FATP_BOOT_PROBE, FAT_TAG_BUFFER);
    if (!Vol || !Boot) {
        FatFree(Boot, FAT_TAG_BUFFER);
        FatFree(Vol, FAT_TAG_VOLUME);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Vol->Io = Io;
    Vol->IoContext = IoContext;
    Vol->DiskLength = DiskLength;
    RtlFillMemory(Vol->Label, 11, ' ');

    /* The sector size is unknown until the BPB is read, so probe with the smallest one. */
    Status = Io(IoContext, FALSE, 0, Boot, FATP_BOOT_PROBE);
    if (NT_SUCCESS(Status))
        Status = FatpLooksLikeFat(Boot) ? FatpParseBpb(Vol, Boot) : STATUS_UNRECOGNIZED_VOLUME;
    FatFree(Boot, FAT_TAG_BUFFER);
    if (!NT_SUCCESS(Status)) {
        FatpFreeVolume(Vol);
        return Status;
    }

    Vol->SectorCache = FatAllocate(Vol->BytesPerSector, FAT_TAG_BUFFER);
    Vol->Scratch = FatAllocate(Vol->BytesPerSector, FAT_TAG_BUFFER);
    Vol->ZeroCluster = FatAllocate(Vol->BytesPerCluster, FAT_TAG_BUFFER);
    if (!Vol->SectorCache || !Vol->Scratch || !Vol->ZeroCluster)
        Status = STATUS_INSUFFICIENT_RESOURCES;
    else
        Status = FatLoadTable(Vol);
    if (!NT_SUCCESS(Status)) {
        FatpFreeVolume(Vol);
        return Status;
    }
    if (Vol->FatType == 32)
        FatpCheckFsInfo(Vol);
    FatpReadRootLabel(Vol);
    *Volume = Vol;
    return STATUS_SUCCESS;
}

NTSTATUS FatFlushVolume(PFAT_VOLUME Volume)
{
    return FatFlushTable(Volume);
}

NTSTATUS FatDismountVolume(PFAT_VOLUME Volume)
{
    NTSTATUS Status = FatFlushTable(Volume);
    FatpFreeVolume(Volume);
    return Status;
}

VOID FatSetTimeSource(PFAT_VOLUME Volume, FAT_TIME_SOURCE Source, PVOID Context)
{
    Volume->TimeSource = Source;
    Volume->TimeContext = Context;
}

VOID FatQueryVolumeInformation(PFAT_VOLUME Volume, PFAT_VOLUME_INFO Info)
{
    USHORT Len = 11;

    RtlZeroMemory(Info, sizeof(*Info));
    Info->FatType = Volume->FatType;
    Info->BytesPerSector = Volume->BytesPerSector;
    Info->SectorsPerCluster = Volume->SectorsPerCluster;
    Info->BytesPerCluster = Volume->BytesPerCluster;
    Info->TotalClusters = Volume->ClusterCount;
    Info->FreeClusters = Volume->FreeClusters;
    Info->SerialNumber = Volume->SerialNumber;
    while (Len && Volume->Label[Len - 1] == ' ')
        Len--;
    for (USHORT I = 0; I < Len; I++)
        Info->Label[I] = Volume->Label[I];
    Info->LabelLength = Len;
}
