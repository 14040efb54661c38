/* fatdir.c - reading directories: locating entry N of a directory, assembling VFAT long names
 * with checksum validation, and looking a name up. Writing entries lives in fatdirwrite.c. */
#include "fatp.h"

/* Character slots of one LFN entry, as byte offsets inside the 32-byte entry. */
static const UCHAR FatpLfnSlots[FAT_LFN_CHARS_PER_ENTRY] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

FAT_DIR FatRootDir(PFAT_VOLUME Vol)
{
    return Vol->FatType == 32 ? Vol->RootCluster : 0;
}

ULONG FatEntryCluster(PFAT_VOLUME Vol, const FAT_RAW_DIRENT *Entry)
{
    /* On FAT12/16 the high word belonged to OS/2 extended attributes; it is not a cluster. */
    if (Vol->FatType == 32)
        return Entry->FstClusLo | ((ULONG)Entry->FstClusHi << 16);
    return Entry->FstClusLo;
}

VOID FatSetEntryCluster(PFAT_RAW_DIRENT Entry, ULONG Cluster)
{
    Entry->FstClusLo = (USHORT)Cluster;
    Entry->FstClusHi = (USHORT)(Cluster >> 16);
}

VOID FatStampNow(PFAT_VOLUME Vol, PUSHORT Date, PUSHORT Time, PUCHAR Tenth)
{
    UCHAR Unused;
    if (!Tenth)
        Tenth = &Unused;
    *Date = (1 << 5) | 1;   /* 1980-01-01, the DOS epoch */
    *Time = 0;
    *Tenth = 0;
    if (Vol->TimeSource)
        Vol->TimeSource(Vol->TimeContext, Date, Time, Tenth);
}

/* STATUS_END_OF_FILE means Index lies past the directory's current allocation. */
static NTSTATUS FatpEntryOffset(PFAT_VOLUME Vol, FAT_DIR Dir, ULONG Index, PULONG64 Offset)
{
    ULONG PerCluster = Vol->BytesPerCluster / FAT_DIRENT_SIZE;
    ULONG Cluster;
    NTSTATUS Status;

    if (Index >= FAT_MAX_DIR_ENTRIES)
        return STATUS_END_OF_FILE;
    if (Dir == 0) {
        if (Vol->FatType == 32 || Index >= Vol->RootEntryCount)
            return STATUS_END_OF_FILE;
        *Offset = (ULONG64)Vol->FirstRootDirSector * Vol->BytesPerSector + (ULONG64)Index * FAT_DIRENT_SIZE;
        return STATUS_SUCCESS;
    }
    Status = FatSeekCluster(Vol, Dir, Index / PerCluster, &Vol->DirCursor, &Cluster);
    if (!NT_SUCCESS(Status))
        return Status;
    *Offset = FatClusterOffset(Vol, Cluster) + (ULONG64)(Index % PerCluster) * FAT_DIRENT_SIZE;
    return STATUS_SUCCESS;
}

NTSTATUS FatReadDirEntry(PFAT_VOLUME Vol, FAT_DIR Dir, ULONG Index, PFAT_RAW_DIRENT Entry)
{
    ULONG64 Offset;
    NTSTATUS Status = FatpEntryOffset(Vol, Dir, Index, &Offset);
    if (!NT_SUCCESS(Status))
        return Status;
    return FatCachedRead(Vol, Offset, Entry, FAT_DIRENT_SIZE);
}

/* Crash consistency (a power-cut campaign's finding): an entry may name clusters allocated in
 * the in-memory FAT, so the FAT reaches the disk first. A cut then leaks clusters at worst;
 * it never leaves an entry pointing at a free cluster. */
NTSTATUS FatWriteDirEntry(PFAT_VOLUME Vol, FAT_DIR Dir, ULONG Index, const FAT_RAW_DIRENT *Entry)
{
    ULONG64 Offset;
    NTSTATUS Status = FatpEntryOffset(Vol, Dir, Index, &Offset);
    if (NT_SUCCESS(Status))
        Status = FatFlushTable(Vol);
    if (!NT_SUCCESS(Status))
        return Status;
    return FatCachedWrite(Vol, Offset, Entry, FAT_DIRENT_SIZE);
}

/* Count consecutive entries, each run of them inside one sector written with one sector write:
 * a long name and its short entry written in one sector reach the disk together or not at
 * all, so a power cut never leaves part of a name (fsck: "Long filename fragment found
 * outside a LFN sequence"). The FAT goes first, as for one entry. */
NTSTATUS FatWriteDirEntries(PFAT_VOLUME Vol, FAT_DIR Dir, ULONG Index, ULONG Count, const FAT_RAW_DIRENT *Entries)
{
    NTSTATUS Status = FatFlushTable(Vol);
    for (ULONG I = 0; NT_SUCCESS(Status) && I < Count;) {
        ULONG64 Offset, Next;
        ULONG N = 1;
        Status = FatpEntryOffset(Vol, Dir, Index + I, &Offset);
        while (NT_SUCCESS(Status) && I + N < Count && (Offset + N * FAT_DIRENT_SIZE) % Vol->BytesPerSector &&
               NT_SUCCESS(FatpEntryOffset(Vol, Dir, Index + I + N, &Next)) && Next == Offset + N * FAT_DIRENT_SIZE)
            N++;
        if (NT_SUCCESS(Status))
            Status = FatCachedWrite(Vol, Offset, &Entries[I], N * FAT_DIRENT_SIZE);
        I += N;
    }
    return Status;
}

/* Length of an assembled long name, or 0 if it is malformed and must be ignored. */
static USHORT FatpLongNameLength(const WCHAR *Name, ULONG Slots)
{
    ULONG Len = 0;
    while (Len < Slots && Name[Len] != 0)
        Len++;
    if (Len == 0 || Len > FAT_MAX_NAME_CHARS)
        return 0;
    for (ULONG I = 0; I < Len; I++)
        if (Name[I] < 0x20 || Name[I] == '/' || Name[I] == '\\')
            return 0;
    return (USHORT)Len;
}

NTSTATUS FatScanDirectory(PFAT_VOLUME Vol, FAT_DIR Dir, PULONG Index, PFAT_SCAN_ENTRY Entry)
{
    FAT_RAW_DIRENT E;
    const UCHAR *Raw = (const UCHAR *)&E;
    ULONG Expected = 0, Total = 0, LfnStart = 0;
    UCHAR Sum = 0;
    ULONG I;

    for (I = *Index; I < FAT_MAX_DIR_ENTRIES; I++) {
        NTSTATUS Status = FatReadDirEntry(Vol, Dir, I, &E);
        if (Status == STATUS_END_OF_FILE)
            break;
        if (!NT_SUCCESS(Status))
            return Status;
        if (E.Name[0] == 0)
            break;
        if (E.Name[0] == FAT_DELETED_MARK) {
            Expected = 0;
            continue;
        }
        if ((E.Attr & 0x3F) == FAT_ATTR_LONG_NAME) {
            ULONG Ord = E.Name[0] & 0x1F;
            if (E.Name[0] & FAT_LFN_LAST) {
                /* Physically first, logically last piece: starts a new set. */
                if (Ord == 0 || Ord > FAT_LFN_MAX_ENTRIES) {
                    Expected = 0;
                    continue;
                }
                Total = Ord;
                Sum = Raw[13];
                LfnStart = I;
                Entry->LongName[Ord * FAT_LFN_CHARS_PER_ENTRY] = 0;
            } else if (!(Expected > 1 && Ord == Expected - 1 && Raw[13] == Sum)) {
                Expected = 0;
                continue;
            }
            Expected = Ord;
            for (ULONG K = 0; K < FAT_LFN_CHARS_PER_ENTRY; K++)
                Entry->LongName[(Ord - 1) * FAT_LFN_CHARS_PER_ENTRY + K] = FatLe16(Raw + FatpLfnSlots[K]);
            continue;
        }
        if (E.Attr & FAT_ATTR_VOLUME_ID) {
            Expected = 0;
            continue;
        }
        Entry->Raw = E;
        Entry->ShortIndex = I;
        Entry->LfnIndex = I;
        Entry->LongLength = 0;
        Entry->ShortLength = FatShortToDisplay(E.Name, E.NtRes, Entry->ShortName);
        /* Orphaned or mismatched LFN pieces are ignored, as Windows does. */
        if (Expected == 1 && FatShortChecksum(E.Name) == Sum) {
            Entry->LongLength = FatpLongNameLength(Entry->LongName, Total * FAT_LFN_CHARS_PER_ENTRY);
            if (Entry->LongLength)
                Entry->LfnIndex = LfnStart;
        }
        Entry->LongName[Entry->LongLength] = 0;
        *Index = I + 1;
        return STATUS_SUCCESS;
    }
    *Index = I;
    return STATUS_NO_MORE_FILES;
}

NTSTATUS FatFindName(PFAT_VOLUME Vol, FAT_DIR Dir, PCWSTR Name, ULONG Length, PFAT_SCAN_ENTRY Entry)
{
    ULONG Index = 0;
    NTSTATUS Status;

    for (;;) {
        Status = FatScanDirectory(Vol, Dir, &Index, Entry);
        if (Status == STATUS_NO_MORE_FILES)
            return STATUS_OBJECT_NAME_NOT_FOUND;
        if (!NT_SUCCESS(Status))
            return Status;
        if (Entry->Raw.Name[0] == '.')
            continue;   /* "." and ".." are never looked up by name */
        if ((Entry->LongLength && FatNamesEqual(Entry->LongName, Entry->LongLength, Name, Length)) ||
            FatNamesEqual(Entry->ShortName, Entry->ShortLength, Name, Length))
            return STATUS_SUCCESS;
    }
}

NTSTATUS FatIsDirectoryEmpty(PFAT_VOLUME Vol, FAT_DIR Dir, PBOOLEAN Empty)
{
    FAT_SCAN_ENTRY *Entry = FatAllocate(sizeof(*Entry), FAT_TAG_BUFFER);
    ULONG Index = 0;
    NTSTATUS Status;

    if (!Entry)
        return STATUS_INSUFFICIENT_RESOURCES;
    *Empty = TRUE;
    for (;;) {
        Status = FatScanDirectory(Vol, Dir, &Index, Entry);
        if (Status == STATUS_NO_MORE_FILES) {
            Status = STATUS_SUCCESS;
            break;
        }
        if (!NT_SUCCESS(Status))
            break;
        if (!RtlEqualMemory(Entry->Raw.Name, ".          ", 11) &&
            !RtlEqualMemory(Entry->Raw.Name, "..         ", 11)) {
            *Empty = FALSE;
            break;
        }
    }
    FatFree(Entry, FAT_TAG_BUFFER);
    return Status;
}
