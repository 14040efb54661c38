/* drivers/fat/fsdcreate.c - IRP_MJ_CREATE with Windows' dispositions and results, and the
 * two halves of closing: cleanup (last handle: delete-pending files go) and close (free). */
#include "fsd.h"

static BOOLEAN FatFsdpSamePath(PCUNICODE_STRING a, PCUNICODE_STRING b)
{
    return RtlEqualUnicodeString(a, b, TRUE);
}

static PFSD_FCB FatFsdpFindFcb(PFSD_VCB Vcb, PCUNICODE_STRING Path)
{
    for (PLIST_ENTRY e = Vcb->Fcbs.Flink; e != &Vcb->Fcbs; e = e->Flink) {
        PFSD_FCB f = CONTAINING_RECORD(e, FSD_FCB, Link);
        if (!f->Deleted && FatFsdpSamePath(&f->Path, Path))
            return f;
    }
    return NULL;
}

static PFSD_FCB FatFsdpNewFcb(PFSD_VCB Vcb, PFAT_FCB File, PCUNICODE_STRING Path)
{
    PFSD_FCB f = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*f), FSD_TAG);
    FAT_FILE_INFO info;
    if (!f)
        return NULL;
    f->Path.Buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, Path->Length, FSD_TAG);
    if (!f->Path.Buffer) {
        ExFreePoolWithTag(f, FSD_TAG);
        return NULL;
    }
    f->File = File;
    f->Path.Length = f->Path.MaximumLength = Path->Length;
    RtlCopyMemory(f->Path.Buffer, Path->Buffer, Path->Length);
    FatQueryFileInformation(File, &info);
    f->IsDirectory = info.IsDirectory;
    f->Header.NodeByteSize = sizeof(*f);
    f->Header.IsFastIoPossible = info.IsDirectory ? FastIoIsNotPossible : FastIoIsPossible;
    InsertTailList(&Vcb->Fcbs, &f->Link);
    return f;
}

/* The volume-relative path of the request: "\" is the root ("" opens the volume). */
static VOID FatFsdpPath(PFILE_OBJECT FileObject, PUNICODE_STRING Path)
{
    static WCHAR root[] = L"\\";
    *Path = FileObject->FileName;
    if (Path->Length == 0)
        RtlInitUnicodeString(Path, root);
}

/* IRQL == PASSIVE_LEVEL. Information returns FILE_OPENED, FILE_CREATED, FILE_OVERWRITTEN or
 * FILE_SUPERSEDED as Windows does. */
NTSTATUS FatFsdCreate(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFSD_VCB vcb = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    PFILE_OBJECT fo = sl->FileObject;
    ULONG disposition = sl->Parameters.Create.Options >> 24;
    ULONG options = sl->Parameters.Create.Options & 0xFFFFFF;
    BOOLEAN wantDir = (options & FILE_DIRECTORY_FILE) != 0, wantFile = (options & FILE_NON_DIRECTORY_FILE) != 0;
    UNICODE_STRING path;
    PFSD_FCB fcb;
    PFAT_FCB file = NULL;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR info = FILE_OPENED;

    if (disposition > FILE_MAXIMUM_DISPOSITION || (wantDir && wantFile))
        return FatFsdComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    if (fo->FileName.Length == 0 && !fo->RelatedFileObject) { /* the volume itself */
        FatFsdLock(vcb);
        status = FatFsdOpenVolume(vcb, Irp);
        FatFsdUnlock(vcb);
        return FatFsdComplete(Irp, status, NT_SUCCESS(status) ? FILE_OPENED : 0);
    }
    FatFsdpPath(fo, &path);
    FatFsdLock(vcb);
    if (!vcb->Volume) {
        status = STATUS_VOLUME_DISMOUNTED;
        goto out;
    }
    fcb = FatFsdpFindFcb(vcb, &path);
    if (fcb && fcb->DeletePending) {
        status = STATUS_DELETE_PENDING;
        goto out;
    }
    if (!fcb) {
        status = FatOpenFile(vcb->Volume, &path, &file);
        if (status == STATUS_OBJECT_NAME_NOT_FOUND && disposition != FILE_OPEN && disposition != FILE_OVERWRITE) {
            status = FatCreateFile(vcb->Volume, &path, wantDir, (UCHAR)(sl->Parameters.Create.FileAttributes & 0x27),
                                   &file);
            info = FILE_CREATED;
        } else if (NT_SUCCESS(status) && disposition == FILE_CREATE) {
            FatCloseFile(file);
            status = STATUS_OBJECT_NAME_COLLISION;
        }
        if (!NT_SUCCESS(status))
            goto out;
        fcb = FatFsdpNewFcb(vcb, file, &path);
        if (!fcb) {
            if (info == FILE_CREATED) /* a failed create leaves no file behind */
                FatDeleteFile(file);
            FatCloseFile(file);
            status = STATUS_INSUFFICIENT_RESOURCES;
            goto out;
        }
    } else if (disposition == FILE_CREATE) {
        status = STATUS_OBJECT_NAME_COLLISION;
        goto out;
    }

    if (wantDir && !fcb->IsDirectory)
        status = STATUS_NOT_A_DIRECTORY;
    else if (wantFile && fcb->IsDirectory)
        status = STATUS_FILE_IS_A_DIRECTORY;
    else if (info == FILE_OPENED && (disposition == FILE_OVERWRITE || disposition == FILE_OVERWRITE_IF ||
                                     disposition == FILE_SUPERSEDE)) {
        FatFsdInvalidateCache(fcb);
        status = fcb->IsDirectory ? STATUS_FILE_IS_A_DIRECTORY : FatSetEndOfFile(fcb->File, 0);
        info = disposition == FILE_SUPERSEDE ? FILE_SUPERSEDED : FILE_OVERWRITTEN;
    }
    if (NT_SUCCESS(status)) {
        PFSD_CCB ccb = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(FSD_CCB), FSD_TAG);
        if (!ccb) {
            status = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            ccb->DeleteOnClose = (options & FILE_DELETE_ON_CLOSE) != 0;
            fo->FsContext = fcb;
            fo->FsContext2 = ccb;
            fo->SectionObjectPointer = fcb->IsDirectory ? NULL : &fcb->Sop;
            fo->Vpb = vcb->Vpb;
            fcb->OpenCount++;
            fcb->HandleCount++;
        }
    }
    if (!NT_SUCCESS(status) && fcb->OpenCount == 0) { /* nobody else holds it: undo */
        RemoveEntryList(&fcb->Link);
        if (info == FILE_CREATED)
            FatDeleteFile(fcb->File);
        FatCloseFile(fcb->File);
        ExFreePoolWithTag(fcb->Path.Buffer, FSD_TAG);
        ExFreePoolWithTag(fcb, FSD_TAG);
    }
out:
    FatFsdUnlock(vcb);
    if (NT_SUCCESS(status) && (info == FILE_OVERWRITTEN || info == FILE_SUPERSEDED))
        FatFsdUpdateCacheSizes(vcb, fo, fo->FsContext); /* cached data of the old contents goes */
    return FatFsdComplete(Irp, status, NT_SUCCESS(status) ? info : 0);
}

/* IRQL == PASSIVE_LEVEL. The last handle going away is when a delete takes effect. */
NTSTATUS FatFsdCleanup(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFSD_VCB vcb = DeviceObject->DeviceExtension;
    PFILE_OBJECT fo = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    PFSD_FCB fcb = fo->FsContext;
    PFSD_CCB ccb = fo->FsContext2;
    NTSTATUS status = STATUS_SUCCESS;

    if (!fcb || FatFsdIsVolumeOpen(DeviceObject, fo)) {
        fo->Flags |= FO_CLEANUP_COMPLETE;
        return FatFsdComplete(Irp, STATUS_SUCCESS, 0);
    }
    FatFsdLock(vcb);
    if (ccb->DeleteOnClose)
        fcb->DeletePending = TRUE;
    BOOLEAN deleting = fcb->HandleCount == 1 && fcb->DeletePending && !fcb->Deleted;
    FatFsdUnlock(vcb);
    /* The cache first, without the lock (its paging I/O takes it): a file about to be deleted
     * loses its cached data unwritten; otherwise the last private map's going writes it. */
    if (fo->SectionObjectPointer) {
        LARGE_INTEGER zero;
        zero.QuadPart = 0;
        if (deleting)
            CcPurgeCacheSection(fo->SectionObjectPointer, NULL, 0, FALSE);
        CcUninitializeCacheMap(fo, deleting ? &zero : NULL, NULL);
    }
    FatFsdLock(vcb);
    if (--fcb->HandleCount == 0 && fcb->DeletePending && !fcb->Deleted) {
        status = FatDeleteFile(fcb->File);
        fcb->Deleted = NT_SUCCESS(status);
        if (!fcb->Deleted) /* cleanup cannot fail: say it where someone can read it */
            DbgPrint("FAT: a delete failed at cleanup (0x%08x), the file stays\n", (ULONG)status);
    } else if (fcb->HandleCount == 0) {
        FatFlushFileEntry(fcb->File); /* the size and time a cached write left in memory */
    }
    fo->Flags |= FO_CLEANUP_COMPLETE;
    FatFsdUnlock(vcb);
    return FatFsdComplete(Irp, STATUS_SUCCESS, 0);
}

/* Volume lock held, PASSIVE_LEVEL. The FCB is about to go, and with it the only record of a
 * size or time a cached write left in memory: a transient failure must not lose it (a campaign
 * finding: cleanup's and close's entry writes both failed, the file stayed 0 bytes), so the
 * write is tried a few times. Low resources pass (seeds 6933 and 7103 failed four disk IRPs in
 * a row at 10% odds), so those tries wait between them, as the lazy writer retries a failed
 * write-behind later. If every try fails the loss is said where someone can read it. */
static VOID FatFsdpLastEntryFlush(PFSD_FCB Fcb)
{
    NTSTATUS status = STATUS_SUCCESS;
    ULONG others = 0;
    for (ULONG tries = 0; tries < 12 && others < 3; tries++) {
        if (NT_SUCCESS(status = FatFlushFileEntry(Fcb->File)))
            return;
        if (status == STATUS_INSUFFICIENT_RESOURCES) {
            LARGE_INTEGER wait;
            wait.QuadPart = -10000LL * (1 + tries); /* relative, 1 ms more each time */
            KeDelayExecutionThread(KernelMode, FALSE, &wait);
        } else {
            others++;
        }
    }
    DbgPrint("FAT: the entry of %wZ could not be written (0x%08x): its new size is lost\n", &Fcb->Path,
             (ULONG)status);
}

/* IRQL == PASSIVE_LEVEL. The last close on a dismounted volume deletes it. */
NTSTATUS FatFsdClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFSD_VCB vcb = DeviceObject->DeviceExtension;
    PFILE_OBJECT fo = IoGetCurrentIrpStackLocation(Irp)->FileObject;
    PFSD_FCB fcb = fo->FsContext;
    PFSD_CCB ccb = fo->FsContext2;
    BOOLEAN last;

    if (!fcb)
        return FatFsdComplete(Irp, STATUS_SUCCESS, 0);
    if (FatFsdIsVolumeOpen(DeviceObject, fo))
        return FatFsdCloseVolume(vcb, Irp);
    if (fcb->OpenCount == 1 && fcb->Sop.SharedCacheMap) /* cleanup should have ended it */
        CcPurgeCacheSection(&fcb->Sop, NULL, 0, TRUE);
    FatFsdLock(vcb);
    if (ccb->Pattern.Buffer)
        ExFreePoolWithTag(ccb->Pattern.Buffer, FSD_TAG);
    ExFreePoolWithTag(ccb, FSD_TAG);
    if (--fcb->OpenCount == 0) {
        RemoveEntryList(&fcb->Link);
        FatFsdpLastEntryFlush(fcb);
        FatCloseFile(fcb->File);
        ExFreePoolWithTag(fcb->Path.Buffer, FSD_TAG);
        ExFreePoolWithTag(fcb, FSD_TAG);
    }
    fo->FsContext = fo->FsContext2 = NULL;
    last = FatFsdCanDeleteVolume(vcb);
    FatFsdUnlock(vcb);
    FatFsdComplete(Irp, STATUS_SUCCESS, 0);
    if (last)
        FatFsdDeleteVolume(vcb);
    return STATUS_SUCCESS;
}
