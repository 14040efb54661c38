/* fatrename.c - changes to where a file lives in the tree: delete, and rename or move
 * (including the ".." fix-up a moved directory needs). */
#include "fatp.h"

static NTSTATUS FatpRemoveScanned(PFAT_VOLUME Vol, FAT_DIR Dir, const FAT_SCAN_ENTRY *E)
{
    ULONG Cluster = FatEntryCluster(Vol, &E->Raw);
    /* Entry first, clusters second: a crash in between leaks space instead of cross-linking. */
    NTSTATUS Status = FatRemoveEntry(Vol, Dir, E->LfnIndex, E->ShortIndex);
    if (NT_SUCCESS(Status) && FatIsValidCluster(Vol, Cluster))
        FatFreeChain(Vol, Cluster);
    return Status;
}

NTSTATUS FatDeleteFile(PFAT_FCB Fcb)
{
    PFAT_VOLUME Vol = Fcb->Volume;
    NTSTATUS Status;

    if (Fcb->Deleted)
        return STATUS_FILE_DELETED;
    if (Fcb->IsRoot)
        return STATUS_CANNOT_DELETE;
    if (Fcb->IsDirectory) {
        BOOLEAN Empty;
        Status = FatIsDirectoryEmpty(Vol, Fcb->FirstCluster, &Empty);
        if (!NT_SUCCESS(Status))
            return Status;
        if (!Empty)
            return STATUS_DIRECTORY_NOT_EMPTY;
    }
    Status = FatRemoveEntry(Vol, Fcb->Parent, Fcb->LfnIndex, Fcb->EntryIndex);
    if (!NT_SUCCESS(Status))
        return Status;
    if (Fcb->FirstCluster)
        FatFreeChain(Vol, Fcb->FirstCluster);
    Fcb->FirstCluster = 0;
    Fcb->Clusters = 0;
    Fcb->LastCluster = 0;
    Fcb->Deleted = TRUE;
    return STATUS_SUCCESS;
}

/* A moved directory's ".." must name its new parent, or fsck and ".." traversal break. */
static NTSTATUS FatpFixDotDot(PFAT_VOLUME Vol, PFAT_FCB Dir, FAT_DIR NewParent)
{
    FAT_RAW_DIRENT E;
    NTSTATUS Status = FatReadDirEntry(Vol, Dir->FirstCluster, 1, &E);

    if (!NT_SUCCESS(Status))
        return Status;
    if (!RtlEqualMemory(E.Name, "..         ", 11))
        return STATUS_DISK_CORRUPT_ERROR;
    FatSetEntryCluster(&E, NewParent == FatRootDir(Vol) ? 0 : NewParent);
    return FatWriteDirEntry(Vol, Dir->FirstCluster, 1, &E);
}

static NTSTATUS FatpRenameTo(PFAT_FCB Fcb, PFAT_PATH_TAIL Tail, BOOLEAN Replace, PFAT_SCAN_ENTRY Scan)
{
    PFAT_VOLUME Vol = Fcb->Volume;
    ULONG Exclude = Tail->Parent == Fcb->Parent ? Fcb->EntryIndex : ~0u;
    ULONG LfnIndex, ShortIndex;
    FAT_RAW_DIRENT Written;
    NTSTATUS Status = FatFindName(Vol, Tail->Parent, Tail->Name, Tail->Length, Scan);

    if (NT_SUCCESS(Status)) {
        BOOLEAN Self = Tail->Parent == Fcb->Parent && Scan->ShortIndex == Fcb->EntryIndex;
        if (!Self) {
            if (!Replace)
                return STATUS_OBJECT_NAME_COLLISION;
            if (Scan->Raw.Attr & FAT_ATTR_DIRECTORY)
                return STATUS_ACCESS_DENIED;
            Status = FatpRemoveScanned(Vol, Tail->Parent, Scan);
            if (!NT_SUCCESS(Status))
                return Status;
        }
    } else if (Status != STATUS_OBJECT_NAME_NOT_FOUND) {
        return Status;
    }

    /* New entries are written before the old ones go, so a full directory loses nothing. */
    Status = FatAddEntry(Vol, Tail->Parent, Tail->Name, Tail->Length, &Fcb->Entry, Exclude,
                         &LfnIndex, &ShortIndex, &Written);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = FatRemoveEntry(Vol, Fcb->Parent, Fcb->LfnIndex, Fcb->EntryIndex);
    if (!NT_SUCCESS(Status)) {
        /* A campaign finding (a disk write error here): two entries then named one chain, and
         * fsck saw the files share clusters. The new entry goes again; the caller sees the
         * error and the file keeps its old name. Seed 436 failed that removal too, and a
         * later delete of the new name freed the chain the old one still named: the removal
         * is tried three times, as the last close tries a dirty entry's write. */
        BOOLEAN Undone = FALSE;
        for (ULONG Try = 0; Try < 3 && !Undone; Try++)
            Undone = NT_SUCCESS(FatRemoveEntry(Vol, Tail->Parent, LfnIndex, ShortIndex));
        /* Still two entries: the volume needs chkdsk, and the caller is told so. */
        return Undone ? Status : STATUS_FILE_CORRUPT_ERROR;
    }
    FAT_DIR OldParent = Fcb->Parent;
    /* From here the new entry is the only one: the FCB must follow it even if ".." fails. */
    Fcb->Parent = Tail->Parent;
    Fcb->LfnIndex = LfnIndex;
    Fcb->EntryIndex = ShortIndex;
    Fcb->Entry = Written;
    if (Fcb->IsDirectory && Tail->Parent != OldParent)
        return FatpFixDotDot(Vol, Fcb, Tail->Parent);
    return STATUS_SUCCESS;
}

NTSTATUS FatRenameFile(PFAT_FCB Fcb, PCUNICODE_STRING NewPath, BOOLEAN ReplaceIfExists)
{
    PFAT_SCAN_ENTRY Scan;
    FAT_PATH_TAIL Tail;
    NTSTATUS Status;

    if (Fcb->Deleted)
        return STATUS_FILE_DELETED;
    if (Fcb->IsRoot)
        return STATUS_INVALID_PARAMETER;
    Scan = FatAllocate(sizeof(*Scan), FAT_TAG_BUFFER);
    if (!Scan)
        return STATUS_INSUFFICIENT_RESOURCES;
    Status = FatWalkPath(Fcb->Volume, NewPath, Fcb->IsDirectory ? Fcb->FirstCluster : 0, Scan, &Tail);
    if (NT_SUCCESS(Status) && !Tail.Name)
        Status = STATUS_OBJECT_NAME_INVALID;
    if (NT_SUCCESS(Status) && Fcb->IsDirectory && Tail.Parent == Fcb->FirstCluster)
        Status = STATUS_INVALID_PARAMETER;
    if (NT_SUCCESS(Status) && Tail.TrailingSlash && !Fcb->IsDirectory)
        Status = STATUS_OBJECT_NAME_INVALID;
    if (NT_SUCCESS(Status))
        Status = FatpRenameTo(Fcb, &Tail, ReplaceIfExists, Scan);
    FatFree(Scan, FAT_TAG_BUFFER);
    return Status;
}
