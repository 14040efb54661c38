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

/* Moving an entry takes three writes, ordered so that a power cut between any two leaves
 * what fsck repairs without cross-linking (campaign seeds 568, 608 and four more: the new
 * entry was written whole before the old one went, and a cut in between left two names on
 * one chain). First the new name is reserved naming no clusters (it also takes the space, so
 * a full directory fails before anything is lost), then the old entry goes (a cut here leaks
 * the chain, which fsck reclaims), then the new entry gets the chain. */
static NTSTATUS FatpMoveEntry(PFAT_FCB Fcb, PFAT_PATH_TAIL Tail, ULONG Exclude, PULONG LfnIndex,
                              PULONG ShortIndex, PFAT_RAW_DIRENT Written, PBOOLEAN Moved)
{
    PFAT_VOLUME Vol = Fcb->Volume;
    FAT_RAW_DIRENT Reserve = Fcb->Entry;
    NTSTATUS Status;

    /* An empty file, not a directory: fsck rejects a directory entry without clusters. */
    FatSetEntryCluster(&Reserve, 0);
    Reserve.FileSize = 0;
    Reserve.Attr &= (UCHAR)~FAT_ATTR_DIRECTORY;
    Status = FatAddEntry(Vol, Tail->Parent, Tail->Name, Tail->Length, &Reserve, Exclude,
                         LfnIndex, ShortIndex, Written);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = FatRemoveEntry(Vol, Fcb->Parent, Fcb->LfnIndex, Fcb->EntryIndex);
    if (!NT_SUCCESS(Status)) {
        /* The file keeps its old name and the caller sees the error. The reservation names
         * no clusters, so if it cannot be taken back either (seed 436 failed the first
         * take-back) it is a stray empty file, and the caller is told the volume needs
         * chkdsk. */
        BOOLEAN Undone = FALSE;
        for (ULONG Try = 0; Try < 3 && !Undone; Try++)
            Undone = NT_SUCCESS(FatRemoveEntry(Vol, Tail->Parent, *LfnIndex, *ShortIndex));
        return Undone ? Status : STATUS_FILE_CORRUPT_ERROR;
    }
    /* The old name is gone: only this write gives the chain a name again. It is tried three
     * times; if it still fails the chain is leaked (fsck reclaims it) and the caller is told
     * so. The FCB follows the new entry either way, so a later write of the dirty entry (the
     * last close tries it) names the chain there, never in the slot the old name freed. */
    FAT_RAW_DIRENT Final = Fcb->Entry;
    RtlCopyMemory(Final.Name, Written->Name, 11);
    Final.NtRes = Written->NtRes;
    *Moved = TRUE;
    Status = STATUS_UNSUCCESSFUL;
    for (ULONG Try = 0; Try < 3 && !NT_SUCCESS(Status); Try++)
        Status = FatWriteDirEntry(Vol, Tail->Parent, *ShortIndex, &Final);
    *Written = Final;
    return NT_SUCCESS(Status) ? STATUS_SUCCESS : STATUS_FILE_CORRUPT_ERROR;
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

    /* A short name staying in its directory is renamed where it stands: one sector write,
     * so a power cut leaves the old name or the new one, never both. */
    UCHAR Short[11], NtRes = 0;
    if (Tail->Parent == Fcb->Parent && Fcb->LfnIndex == Fcb->EntryIndex &&
        FatMakeShortName(Tail->Name, Tail->Length, Short, &NtRes)) {
        Written = Fcb->Entry;
        RtlCopyMemory(Written.Name, Short, 11);
        Written.NtRes = NtRes;
        Status = FatWriteDirEntry(Vol, Fcb->Parent, Fcb->EntryIndex, &Written);
        if (NT_SUCCESS(Status))
            Fcb->Entry = Written;
        return Status;
    }
    BOOLEAN Moved = FALSE;
    Status = FatpMoveEntry(Fcb, Tail, Exclude, &LfnIndex, &ShortIndex, &Written, &Moved);
    if (!Moved)
        return Status;
    FAT_DIR OldParent = Fcb->Parent;
    /* From here the new entry is the only one: the FCB must follow it even if ".." fails. */
    Fcb->Parent = Tail->Parent;
    Fcb->LfnIndex = LfnIndex;
    Fcb->EntryIndex = ShortIndex;
    Fcb->Entry = Written;
    if (!NT_SUCCESS(Status))
        Fcb->EntryDirty = TRUE; /* the last close tries the chain's name again */
    if (NT_SUCCESS(Status) && Fcb->IsDirectory && Tail->Parent != OldParent)
        Status = FatpFixDotDot(Vol, Fcb, Tail->Parent);
    return Status;
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
