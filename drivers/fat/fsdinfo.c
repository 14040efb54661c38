/* drivers/fat/fsdinfo.c - query and set file information (basic, standard, position, name,
 * end of file, disposition, rename) and volume information, with Windows' length rules. */
#include "fsd.h"

/* Volume lock held; shared with fast I/O (fsdfastio.c). */
NTSTATUS FatFsdpBasic(PFSD_FCB Fcb, PFILE_BASIC_INFORMATION B)
{
    FAT_FILE_INFO i;
    NTSTATUS s = FatQueryFileInformation(Fcb->File, &i);
    if (!NT_SUCCESS(s))
        return s;
    RtlZeroMemory(B, sizeof(*B));
    B->CreationTime.QuadPart = FatFsdDosTimeToNt(i.CreateDate, i.CreateTime);
    B->LastAccessTime.QuadPart = FatFsdDosTimeToNt(i.AccessDate, 0);
    B->LastWriteTime.QuadPart = B->ChangeTime.QuadPart = FatFsdDosTimeToNt(i.WriteDate, i.WriteTime);
    B->FileAttributes = i.Attributes ? i.Attributes : FILE_ATTRIBUTE_NORMAL;
    return STATUS_SUCCESS;
}

/* Volume lock held; shared with fast I/O (fsdfastio.c). */
NTSTATUS FatFsdpStandard(PFSD_FCB Fcb, PFILE_STANDARD_INFORMATION S)
{
    FAT_FILE_INFO i;
    NTSTATUS s = FatQueryFileInformation(Fcb->File, &i);
    if (!NT_SUCCESS(s))
        return s;
    S->AllocationSize.QuadPart = (LONGLONG)i.AllocationSize;
    S->EndOfFile.QuadPart = (LONGLONG)i.FileSize;
    S->NumberOfLinks = 1;
    S->DeletePending = Fcb->DeletePending;
    S->Directory = i.IsDirectory;
    return STATUS_SUCCESS;
}

/* IRQL == PASSIVE_LEVEL. Buffered: the answer goes to the system buffer. */
NTSTATUS FatFsdQueryInformation(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFSD_VCB vcb = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT fo = sl->FileObject;
    PFSD_FCB fcb = fo->FsContext;
    ULONG len = sl->Parameters.QueryFile.Length, need = 0;
    PVOID buf = Irp->AssociatedIrp.SystemBuffer;
    NTSTATUS status = STATUS_SUCCESS;

    if (!fcb)
        return FatFsdComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    FatFsdLock(vcb);
    switch (sl->Parameters.QueryFile.FileInformationClass) {
    case FileBasicInformation:
        need = sizeof(FILE_BASIC_INFORMATION);
        if (len >= need)
            status = FatFsdpBasic(fcb, buf);
        break;
    case FileStandardInformation:
        need = sizeof(FILE_STANDARD_INFORMATION);
        if (len >= need)
            status = FatFsdpStandard(fcb, buf);
        break;
    case FilePositionInformation:
        need = sizeof(FILE_POSITION_INFORMATION);
        if (len >= need)
            ((PFILE_POSITION_INFORMATION)buf)->CurrentByteOffset = fo->CurrentByteOffset;
        break;
    case FileNameInformation: {
        PFILE_NAME_INFORMATION n = buf;
        need = FIELD_OFFSET(FILE_NAME_INFORMATION, FileName);
        if (len < need)
            break;
        ULONG room = len - need, copy = fcb->Path.Length < room ? fcb->Path.Length : room;
        n->FileNameLength = fcb->Path.Length;
        RtlCopyMemory(n->FileName, fcb->Path.Buffer, copy);
        status = copy < fcb->Path.Length ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
        need += copy;
        break;
    }
    default:
        status = STATUS_INVALID_PARAMETER;
        break;
    }
    FatFsdUnlock(vcb);
    if (NT_SUCCESS(status) && len < need)
        status = STATUS_INFO_LENGTH_MISMATCH;
    return FatFsdComplete(Irp, status, NT_SUCCESS(status) || status == STATUS_BUFFER_OVERFLOW ? need : 0);
}

/* Rename target: a bare name stays in the file's directory, a path starting with a
 * backslash is volume-relative. Builds the full path in pool. */
static NTSTATUS FatFsdpRenameTarget(PFSD_FCB Fcb, PFILE_RENAME_INFORMATION R, PUNICODE_STRING Out)
{
    USHORT dirLen = 0;
    if (R->FileNameLength == 0 || R->FileNameLength > 1024)
        return STATUS_OBJECT_NAME_INVALID;
    if (R->FileName[0] != L'\\')
        for (USHORT k = 0; k < Fcb->Path.Length / 2; k++)
            if (Fcb->Path.Buffer[k] == L'\\')
                dirLen = (USHORT)((k + 1) * 2);
    Out->Length = Out->MaximumLength = (USHORT)(dirLen + R->FileNameLength);
    Out->Buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, Out->Length, FSD_TAG);
    if (!Out->Buffer)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyMemory(Out->Buffer, Fcb->Path.Buffer, dirLen);
    RtlCopyMemory((PUCHAR)Out->Buffer + dirLen, R->FileName, R->FileNameLength);
    return STATUS_SUCCESS;
}

static NTSTATUS FatFsdpRename(PFSD_VCB Vcb, PFSD_FCB Fcb, PFILE_RENAME_INFORMATION R)
{
    UNICODE_STRING target;
    NTSTATUS status = FatFsdpRenameTarget(Fcb, R, &target);
    if (!NT_SUCCESS(status))
        return status;
    for (PLIST_ENTRY e = Vcb->Fcbs.Flink; e != &Vcb->Fcbs; e = e->Flink) {
        PFSD_FCB other = CONTAINING_RECORD(e, FSD_FCB, Link);
        if (other != Fcb && RtlEqualUnicodeString(&other->Path, &target, TRUE)) {
            ExFreePoolWithTag(target.Buffer, FSD_TAG);
            return STATUS_ACCESS_DENIED; /* the target is open: Windows refuses too */
        }
    }
    status = FatRenameFile(Fcb->File, &target, R->ReplaceIfExists);
    if (NT_SUCCESS(status)) { /* the FCB now answers to the new path */
        ExFreePoolWithTag(Fcb->Path.Buffer, FSD_TAG);
        Fcb->Path = target;
    } else {
        ExFreePoolWithTag(target.Buffer, FSD_TAG);
    }
    return status;
}

/* IRQL == PASSIVE_LEVEL. */
NTSTATUS FatFsdSetInformation(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFSD_VCB vcb = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT fo = sl->FileObject;
    PFSD_FCB fcb = fo->FsContext;
    ULONG len = sl->Parameters.SetFile.Length;
    PVOID buf = Irp->AssociatedIrp.SystemBuffer;
    NTSTATUS status = STATUS_SUCCESS;

    if (!fcb)
        return FatFsdComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    FatFsdLock(vcb);
    if (fcb->Deleted) {
        status = STATUS_FILE_DELETED;
        goto out;
    }
    switch (sl->Parameters.SetFile.FileInformationClass) {
    case FileEndOfFileInformation:
        if (len < sizeof(FILE_END_OF_FILE_INFORMATION))
            status = STATUS_INFO_LENGTH_MISMATCH;
        else if (fcb->IsDirectory)
            status = STATUS_INVALID_PARAMETER;
        else if (((PFILE_END_OF_FILE_INFORMATION)buf)->EndOfFile.QuadPart < 0)
            status = STATUS_INVALID_PARAMETER;
        else {
            FatFsdInvalidateCache(fcb);
            status = FatSetEndOfFile(fcb->File, (ULONG64)((PFILE_END_OF_FILE_INFORMATION)buf)->EndOfFile.QuadPart);
        }
        break;
    case FileDispositionInformation:
        if (len < sizeof(FILE_DISPOSITION_INFORMATION)) {
            status = STATUS_INFO_LENGTH_MISMATCH;
        } else if (((PFILE_DISPOSITION_INFORMATION)buf)->DeleteFile && fcb->IsDirectory) {
            FAT_DIR_ENTRY_INFO *e = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*e), FSD_TAG);
            ULONG cursor = 0;
            status = !e ? STATUS_INSUFFICIENT_RESOURCES
                     : FatEnumerateDirectory(fcb->File, &cursor, TRUE, e) == STATUS_NO_MORE_FILES
                         ? STATUS_SUCCESS : STATUS_DIRECTORY_NOT_EMPTY;
            if (e)
                ExFreePoolWithTag(e, FSD_TAG);
            if (NT_SUCCESS(status))
                fcb->DeletePending = TRUE;
        } else {
            fcb->DeletePending = ((PFILE_DISPOSITION_INFORMATION)buf)->DeleteFile;
        }
        break;
    case FilePositionInformation:
        if (len < sizeof(FILE_POSITION_INFORMATION))
            status = STATUS_INFO_LENGTH_MISMATCH;
        else
            fo->CurrentByteOffset = ((PFILE_POSITION_INFORMATION)buf)->CurrentByteOffset;
        break;
    case FileBasicInformation:
        if (len < sizeof(FILE_BASIC_INFORMATION))
            status = STATUS_INFO_LENGTH_MISMATCH;
        else if (((PFILE_BASIC_INFORMATION)buf)->FileAttributes)
            status = FatSetFileAttributes(fcb->File, (UCHAR)(((PFILE_BASIC_INFORMATION)buf)->FileAttributes & 0x27));
        break;
    case FileRenameInformation:
        status = len < sizeof(FILE_RENAME_INFORMATION) ? STATUS_INFO_LENGTH_MISMATCH
                                                       : FatFsdpRename(vcb, fcb, buf);
        break;
    default:
        status = STATUS_INVALID_PARAMETER;
        break;
    }
out:
    FatFsdUnlock(vcb);
    FatFsdUpdateCacheSizes(vcb, fo, fcb); /* after a new end of file: the cache drops what is past it */
    return FatFsdComplete(Irp, status, 0);
}

/* IRQL == PASSIVE_LEVEL. */
NTSTATUS FatFsdQueryVolumeInformation(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFSD_VCB vcb = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    ULONG len = sl->Parameters.QueryVolume.Length, need;
    PVOID buf = Irp->AssociatedIrp.SystemBuffer;
    FAT_VOLUME_INFO v;
    NTSTATUS status = STATUS_SUCCESS;

    FatFsdLock(vcb);
    if (!vcb->Volume) {
        FatFsdUnlock(vcb);
        return FatFsdComplete(Irp, STATUS_VOLUME_DISMOUNTED, 0);
    }
    FatQueryVolumeInformation(vcb->Volume, &v);
    FatFsdUnlock(vcb);
    switch (sl->Parameters.QueryVolume.FsInformationClass) {
    case FileFsSizeInformation: {
        PFILE_FS_SIZE_INFORMATION s = buf;
        need = sizeof(*s);
        if (len < need)
            return FatFsdComplete(Irp, STATUS_INFO_LENGTH_MISMATCH, 0);
        s->TotalAllocationUnits.QuadPart = v.TotalClusters;
        s->AvailableAllocationUnits.QuadPart = v.FreeClusters;
        s->SectorsPerAllocationUnit = v.SectorsPerCluster;
        s->BytesPerSector = v.BytesPerSector;
        break;
    }
    case FileFsVolumeInformation: {
        PFILE_FS_VOLUME_INFORMATION s = buf;
        need = FIELD_OFFSET(FILE_FS_VOLUME_INFORMATION, VolumeLabel);
        if (len < need)
            return FatFsdComplete(Irp, STATUS_INFO_LENGTH_MISMATCH, 0);
        ULONG label = v.LabelLength * sizeof(WCHAR), copy = label < len - need ? label : len - need;
        RtlZeroMemory(s, need);
        s->VolumeSerialNumber = v.SerialNumber;
        s->VolumeLabelLength = label;
        RtlCopyMemory(s->VolumeLabel, v.Label, copy);
        status = copy < label ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
        need += copy;
        break;
    }
    default:
        return FatFsdComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    return FatFsdComplete(Irp, status, need);
}
