/* fatpath.c - from path to FCB: splitting and validating backslash paths, walking the
 * directory tree, and opening or creating the final component. */
#include "fatp.h"

NTSTATUS FatWalkPath(PFAT_VOLUME Vol, PCUNICODE_STRING Path, ULONG Forbidden, PFAT_SCAN_ENTRY Scratch,
                     PFAT_PATH_TAIL Tail)
{
    PCWSTR P = Path->Buffer;
    ULONG Len = Path->Length / sizeof(WCHAR), At = 1;
    FAT_DIR Dir = FatRootDir(Vol);

    RtlZeroMemory(Tail, sizeof(*Tail));
    if (Len == 0 || P[0] != '\\')
        return STATUS_OBJECT_NAME_INVALID;
    if (Len > 1 && P[Len - 1] == '\\') {
        Tail->TrailingSlash = TRUE;
        Len--;
    }
    Tail->Parent = Dir;
    if (Len == 1)
        return STATUS_SUCCESS;  /* the root itself: Tail->Name stays NULL */

    for (;;) {
        ULONG Start = At, NameLen;
        while (At < Len && P[At] != '\\')
            At++;
        NameLen = FatValidateLongName(P + Start, At - Start);
        /* "." and ".." trim to nothing and are refused here, as are empty components. */
        if (NameLen == 0)
            return STATUS_OBJECT_NAME_INVALID;
        if (At == Len) {
            Tail->Name = P + Start;
            Tail->Length = NameLen;
            Tail->Parent = Dir;
            return STATUS_SUCCESS;
        }
        NTSTATUS Status = FatFindName(Vol, Dir, P + Start, NameLen, Scratch);
        if (Status == STATUS_OBJECT_NAME_NOT_FOUND)
            return STATUS_OBJECT_PATH_NOT_FOUND;
        if (!NT_SUCCESS(Status))
            return Status;
        if (!(Scratch->Raw.Attr & FAT_ATTR_DIRECTORY))
            return STATUS_OBJECT_PATH_NOT_FOUND;
        Dir = FatEntryCluster(Vol, &Scratch->Raw);
        if (!FatIsValidCluster(Vol, Dir))
            return STATUS_DISK_CORRUPT_ERROR;
        if (Forbidden && Dir == Forbidden)
            return STATUS_INVALID_PARAMETER;
        At++;
    }
}

NTSTATUS FatMakeFcb(PFAT_VOLUME Vol, FAT_DIR Parent, const FAT_SCAN_ENTRY *Scan, PFAT_FCB *Out)
{
    PFAT_FCB Fcb;
    NTSTATUS Status = STATUS_SUCCESS;

    *Out = NULL;
    Fcb = FatAllocate(sizeof(*Fcb), FAT_TAG_FCB);
    if (!Fcb)
        return STATUS_INSUFFICIENT_RESOURCES;
    Fcb->Volume = Vol;
    if (!Scan) {
        Fcb->IsRoot = TRUE;
        Fcb->IsDirectory = TRUE;
        Fcb->FirstCluster = FatRootDir(Vol);
        Fcb->Entry.Attr = FAT_ATTR_DIRECTORY;
    } else {
        Fcb->Parent = Parent;
        Fcb->EntryIndex = Scan->ShortIndex;
        Fcb->LfnIndex = Scan->LfnIndex;
        Fcb->Entry = Scan->Raw;
        Fcb->IsDirectory = (Scan->Raw.Attr & FAT_ATTR_DIRECTORY) != 0;
        Fcb->FirstCluster = FatEntryCluster(Vol, &Scan->Raw);
        Fcb->FileSize = Fcb->IsDirectory ? 0 : Scan->Raw.FileSize;
    }
    /* Measuring the chain up front catches loops and bad links before any data moves. */
    if (Fcb->FirstCluster) {
        Status = FatChainLength(Vol, Fcb->FirstCluster, &Fcb->Clusters, &Fcb->LastCluster);
        if (NT_SUCCESS(Status) &&
            (ULONG64)Fcb->Clusters * Vol->BytesPerCluster < Fcb->FileSize)
            Status = STATUS_DISK_CORRUPT_ERROR;
    } else if (Fcb->FileSize || (Fcb->IsDirectory && !Fcb->IsRoot)) {
        Status = STATUS_DISK_CORRUPT_ERROR;
    }
    if (!NT_SUCCESS(Status)) {
        FatFree(Fcb, FAT_TAG_FCB);
        return Status;
    }
    *Out = Fcb;
    return STATUS_SUCCESS;
}

NTSTATUS FatOpenFile(PFAT_VOLUME Volume, PCUNICODE_STRING Path, PFAT_FCB *Fcb)
{
    PFAT_SCAN_ENTRY Scan = FatAllocate(sizeof(*Scan), FAT_TAG_BUFFER);
    FAT_PATH_TAIL Tail;
    NTSTATUS Status;

    *Fcb = NULL;
    if (!Scan)
        return STATUS_INSUFFICIENT_RESOURCES;
    Status = FatWalkPath(Volume, Path, 0, Scan, &Tail);
    if (NT_SUCCESS(Status)) {
        if (!Tail.Name) {
            Status = FatMakeFcb(Volume, 0, NULL, Fcb);
        } else {
            Status = FatFindName(Volume, Tail.Parent, Tail.Name, Tail.Length, Scan);
            if (NT_SUCCESS(Status) && Tail.TrailingSlash && !(Scan->Raw.Attr & FAT_ATTR_DIRECTORY))
                Status = STATUS_OBJECT_NAME_INVALID;
            if (NT_SUCCESS(Status))
                Status = FatMakeFcb(Volume, Tail.Parent, Scan, Fcb);
        }
    }
    FatFree(Scan, FAT_TAG_BUFFER);
    return Status;
}

static NTSTATUS FatpCreateInDir(PFAT_VOLUME Vol, PFAT_PATH_TAIL Tail, BOOLEAN Directory,
                                UCHAR Attributes, PFAT_SCAN_ENTRY Scan, PFAT_FCB *Fcb)
{
    const UCHAR Settable = FAT_ATTR_READ_ONLY | FAT_ATTR_HIDDEN | FAT_ATTR_SYSTEM | FAT_ATTR_ARCHIVE;
    FAT_RAW_DIRENT Template;
    ULONG Cluster = 0;
    NTSTATUS Status;

    RtlZeroMemory(&Template, sizeof(Template));
    Template.Attr = (UCHAR)((Attributes & Settable) | (Directory ? FAT_ATTR_DIRECTORY : FAT_ATTR_ARCHIVE));
    FatStampNow(Vol, &Template.CrtDate, &Template.CrtTime, &Template.CrtTimeTenth);
    Template.WrtDate = Template.CrtDate;
    Template.WrtTime = Template.CrtTime;
    Template.LstAccDate = Template.CrtDate;

    if (Directory) {
        Status = FatAllocateClusters(Vol, 1, 0, &Cluster, NULL);
        if (!NT_SUCCESS(Status))
            return Status;
        Status = FatInitDirectoryCluster(Vol, Cluster, Tail->Parent, &Template);
        if (!NT_SUCCESS(Status)) {
            FatFreeChain(Vol, Cluster);
            return Status;
        }
        FatSetEntryCluster(&Template, Cluster);
    }
    RtlZeroMemory(Scan, sizeof(*Scan));
    Status = FatAddEntry(Vol, Tail->Parent, Tail->Name, Tail->Length, &Template, ~0u,
                         &Scan->LfnIndex, &Scan->ShortIndex, &Scan->Raw);
    if (!NT_SUCCESS(Status)) {
        if (Cluster)
            FatFreeChain(Vol, Cluster);
        return Status;
    }
    return FatMakeFcb(Vol, Tail->Parent, Scan, Fcb);
}

NTSTATUS FatCreateFile(PFAT_VOLUME Volume, PCUNICODE_STRING Path, BOOLEAN Directory,
                       UCHAR Attributes, PFAT_FCB *Fcb)
{
    PFAT_SCAN_ENTRY Scan = FatAllocate(sizeof(*Scan), FAT_TAG_BUFFER);
    FAT_PATH_TAIL Tail;
    NTSTATUS Status;

    *Fcb = NULL;
    if (!Scan)
        return STATUS_INSUFFICIENT_RESOURCES;
    Status = FatWalkPath(Volume, Path, 0, Scan, &Tail);
    if (NT_SUCCESS(Status) && !Tail.Name)
        Status = STATUS_OBJECT_NAME_COLLISION;     /* the root always exists */
    if (NT_SUCCESS(Status) && Tail.TrailingSlash && !Directory)
        Status = STATUS_OBJECT_NAME_INVALID;
    if (NT_SUCCESS(Status)) {
        Status = FatFindName(Volume, Tail.Parent, Tail.Name, Tail.Length, Scan);
        if (NT_SUCCESS(Status))
            Status = STATUS_OBJECT_NAME_COLLISION;
        else if (Status == STATUS_OBJECT_NAME_NOT_FOUND)
            Status = FatpCreateInDir(Volume, &Tail, Directory, Attributes, Scan, Fcb);
    }
    FatFree(Scan, FAT_TAG_BUFFER);
    return Status;
}

VOID FatCloseFile(PFAT_FCB Fcb)
{
    FatFree(Fcb, FAT_TAG_FCB);
}
