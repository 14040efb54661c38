/* fatenum.c - directory enumeration for the driver's query-directory path: a cursor over the
 * raw entry index, returning the long name when there is one and the 8.3 form otherwise. */
#include "fatp.h"

static BOOLEAN FatpIsDotEntry(const FAT_RAW_DIRENT *E)
{
    return RtlEqualMemory(E->Name, ".          ", 11) || RtlEqualMemory(E->Name, "..         ", 11);
}

NTSTATUS FatEnumerateDirectory(PFAT_FCB Dir, PULONG Cursor, BOOLEAN SkipDots, PFAT_DIR_ENTRY_INFO Info)
{
    PFAT_SCAN_ENTRY Scan;
    NTSTATUS Status;

    if (Dir->Deleted)
        return STATUS_FILE_DELETED;
    if (!Dir->IsDirectory)
        return STATUS_NOT_A_DIRECTORY;
    Scan = FatAllocate(sizeof(*Scan), FAT_TAG_BUFFER);
    if (!Scan)
        return STATUS_INSUFFICIENT_RESOURCES;
    do {
        Status = FatScanDirectory(Dir->Volume, FatFcbDir(Dir), Cursor, Scan);
    } while (NT_SUCCESS(Status) && SkipDots && FatpIsDotEntry(&Scan->Raw));

    if (NT_SUCCESS(Status)) {
        const FAT_RAW_DIRENT *E = &Scan->Raw;
        RtlZeroMemory(Info, sizeof(*Info));
        if (Scan->LongLength) {
            RtlCopyMemory(Info->Name, Scan->LongName, Scan->LongLength * sizeof(WCHAR));
            Info->NameLength = Scan->LongLength;
        } else {
            RtlCopyMemory(Info->Name, Scan->ShortName, Scan->ShortLength * sizeof(WCHAR));
            Info->NameLength = Scan->ShortLength;
        }
        RtlCopyMemory(Info->ShortName, Scan->ShortName, sizeof(Info->ShortName));
        Info->ShortNameLength = Scan->ShortLength;
        Info->Attributes = E->Attr;
        Info->FileSize = (E->Attr & FAT_ATTR_DIRECTORY) ? 0 : E->FileSize;
        Info->FirstCluster = FatEntryCluster(Dir->Volume, E);
        Info->CreateTimeTenth = E->CrtTimeTenth;
        Info->CreateTime = E->CrtTime;
        Info->CreateDate = E->CrtDate;
        Info->AccessDate = E->LstAccDate;
        Info->WriteTime = E->WrtTime;
        Info->WriteDate = E->WrtDate;
    }
    FatFree(Scan, FAT_TAG_BUFFER);
    return Status;
}
