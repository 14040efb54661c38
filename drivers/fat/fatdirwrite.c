/* fatdirwrite.c - changing directories: choosing a unique 8.3 alias, finding or growing room
 * for an LFN+short entry set, writing and deleting sets, and laying out a new directory. */
#include "fatp.h"

/* Numeric tails beyond this are not tracked; a directory with that many clashes is full. */
#define FATP_MAX_TAIL 4096

/* Parse "PREFIX~digits" out of an existing short base; returns the tail or 0. */
static ULONG FatpTailOf(const UCHAR Base[8], PULONG PrefixLen, PULONG Digits)
{
    ULONG P = 0, N = 0, D = 0, I;

    while (P < 8 && Base[P] != '~')
        P++;
    if (P == 8 || P == 0)
        return 0;
    for (I = P + 1; I < 8 && Base[I] >= '0' && Base[I] <= '9'; I++, D++)
        N = N * 10 + (Base[I] - '0');
    for (; I < 8; I++)
        if (Base[I] != ' ')
            return 0;
    *PrefixLen = P;
    *Digits = D;
    return D ? N : 0;
}

/* One pass over Dir marks which tails of Basis are taken, then the lowest free one wins.
 * Tail 0 means the basis itself is free and lossless, as Windows prefers for "Readme.txt". */
static NTSTATUS FatpChooseAlias(PFAT_VOLUME Vol, FAT_DIR Dir, PCWSTR Name, ULONG Length,
                                ULONG Exclude, UCHAR Short[11])
{
    UCHAR Basis[11];
    WCHAR Display[13];
    ULONG BaseLen = 8, Index = 0, Tail;
    BOOLEAN BasisUsed = FALSE;
    PUCHAR Used = FatAllocate(FATP_MAX_TAIL / 8, FAT_TAG_BUFFER);
    PFAT_SCAN_ENTRY E = FatAllocate(sizeof(*E), FAT_TAG_BUFFER);
    NTSTATUS Status;

    if (!Used || !E) {
        FatFree(Used, FAT_TAG_BUFFER);
        FatFree(E, FAT_TAG_BUFFER);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    FatMakeAlias(Name, Length, 0, Basis);
    while (BaseLen && Basis[BaseLen - 1] == ' ')
        BaseLen--;
    for (;;) {
        Status = FatScanDirectory(Vol, Dir, &Index, E);
        if (Status == STATUS_NO_MORE_FILES)
            break;
        if (!NT_SUCCESS(Status))
            goto Out;
        if (E->ShortIndex == Exclude)
            continue;
        if (RtlEqualMemory(E->Raw.Name, Basis, 11))
            BasisUsed = TRUE;
        if (!RtlEqualMemory(E->Raw.Name + 8, Basis + 8, 3))
            continue;
        ULONG Prefix, Digits, T = FatpTailOf(E->Raw.Name, &Prefix, &Digits);
        ULONG Want = BaseLen < 7 - Digits ? BaseLen : 7 - Digits;
        if (T && T < FATP_MAX_TAIL && Prefix == Want && RtlEqualMemory(E->Raw.Name, Basis, Prefix))
            Used[T / 8] |= (UCHAR)(1u << (T % 8));
    }
    Status = STATUS_SUCCESS;
    if (!BasisUsed && FatNamesEqual(Display, FatShortToDisplay(Basis, 0, Display), Name, Length)) {
        RtlCopyMemory(Short, Basis, 11);
        goto Out;
    }
    for (Tail = 1; Tail < FATP_MAX_TAIL && (Used[Tail / 8] & (1u << (Tail % 8))); Tail++)
        ;
    if (Tail == FATP_MAX_TAIL)
        Status = STATUS_DISK_FULL;
    else
        FatMakeAlias(Name, Length, Tail, Short);
Out:
    FatFree(Used, FAT_TAG_BUFFER);
    FatFree(E, FAT_TAG_BUFFER);
    return Status;
}

/* Zeroed clusters keep the end-of-directory marker intact in newly added space. */
static NTSTATUS FatpZeroCluster(PFAT_VOLUME Vol, ULONG Cluster)
{
    return FatDiskWrite(Vol, FatClusterOffset(Vol, Cluster), Vol->ZeroCluster, Vol->BytesPerCluster);
}

static NTSTATUS FatpGrowDirectory(PFAT_VOLUME Vol, FAT_DIR Dir, ULONG Entries)
{
    ULONG PerCluster = Vol->BytesPerCluster / FAT_DIRENT_SIZE;
    ULONG Count = (Entries + PerCluster - 1) / PerCluster;
    ULONG Length, Last, First, C;
    NTSTATUS Status;

    if (Dir == 0)
        return STATUS_DISK_FULL;    /* the FAT12/16 root cannot grow */
    Status = FatChainLength(Vol, Dir, &Length, &Last);
    if (!NT_SUCCESS(Status))
        return Status;
    if ((ULONG64)(Length + Count) * PerCluster > FAT_MAX_DIR_ENTRIES)
        return STATUS_DISK_FULL;
    Status = FatAllocateClusters(Vol, Count, Last, &First, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    C = First;
    for (ULONG I = 0; I < Count; I++) {
        Status = FatpZeroCluster(Vol, C);
        if (!NT_SUCCESS(Status)) { /* an unzeroed cluster must not join the directory */
            FatTruncateChain(Vol, Dir, Length);
            return Status;
        }
        if (I + 1 < Count && !NT_SUCCESS(FatNextCluster(Vol, C, &C)))
            return STATUS_INTERNAL_ERROR;
    }
    return STATUS_SUCCESS;
}

/* First run of Count free slots, growing the directory when the run reaches its end. A run
 * that fits in a sector starts in the sector it ends in, so the name is one sector write
 * (FatWriteDirEntries): a power cut leaves it whole or absent. */
static NTSTATUS FatpFindFreeRun(PFAT_VOLUME Vol, FAT_DIR Dir, ULONG Count, PULONG Start)
{
    ULONG PerSector = Vol->BytesPerSector / FAT_DIRENT_SIZE;
    FAT_RAW_DIRENT E;
    ULONG Run = 0, I;
    NTSTATUS Status;

    for (I = 0; I < FAT_MAX_DIR_ENTRIES; I++) {
        if (I % PerSector == 0 && Count <= PerSector)
            Run = 0;
        Status = FatReadDirEntry(Vol, Dir, I, &E);
        if (Status == STATUS_END_OF_FILE) {
            Status = FatpGrowDirectory(Vol, Dir, Count - Run);
            if (!NT_SUCCESS(Status))
                return Status;
            *Start = I - Run;
            return STATUS_SUCCESS;
        }
        if (!NT_SUCCESS(Status))
            return Status;
        if (E.Name[0] == 0 || E.Name[0] == FAT_DELETED_MARK) {
            if (++Run == Count) {
                *Start = I + 1 - Count;
                return STATUS_SUCCESS;
            }
        } else {
            Run = 0;
        }
    }
    return STATUS_DISK_FULL;
}

static VOID FatpBuildLfn(PFAT_RAW_DIRENT Out, PCWSTR Name, ULONG Length, ULONG Seq, BOOLEAN Last,
                         UCHAR Sum)
{
    static const UCHAR Slots[FAT_LFN_CHARS_PER_ENTRY] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
    PUCHAR Raw = (PUCHAR)Out;

    RtlZeroMemory(Out, sizeof(*Out));
    Raw[0] = (UCHAR)(Seq | (Last ? FAT_LFN_LAST : 0));
    Raw[11] = FAT_ATTR_LONG_NAME;
    Raw[13] = Sum;
    for (ULONG K = 0; K < FAT_LFN_CHARS_PER_ENTRY; K++) {
        ULONG Pos = (Seq - 1) * FAT_LFN_CHARS_PER_ENTRY + K;
        /* One NUL terminates a name that does not fill the entry, then 0xFFFF padding. */
        WCHAR C = Pos < Length ? Name[Pos] : Pos == Length ? 0 : 0xFFFF;
        Raw[Slots[K]] = (UCHAR)C;
        Raw[Slots[K] + 1] = (UCHAR)(C >> 8);
    }
}

NTSTATUS FatAddEntry(PFAT_VOLUME Vol, FAT_DIR Dir, PCWSTR Name, ULONG Length,
                     const FAT_RAW_DIRENT *Template, ULONG Exclude, PULONG LfnIndex,
                     PULONG ShortIndex, PFAT_RAW_DIRENT Written)
{
    UCHAR Short[11], NtRes = 0;
    BOOLEAN NeedLfn = !FatMakeShortName(Name, Length, Short, &NtRes);
    ULONG LfnCount = NeedLfn ? (Length + FAT_LFN_CHARS_PER_ENTRY - 1) / FAT_LFN_CHARS_PER_ENTRY : 0;
    ULONG Start;
    FAT_RAW_DIRENT E;
    NTSTATUS Status;

    if (NeedLfn) {
        Status = FatpChooseAlias(Vol, Dir, Name, Length, Exclude, Short);
        if (!NT_SUCCESS(Status))
            return Status;
    }
    Status = FatpFindFreeRun(Vol, Dir, LfnCount + 1, &Start);
    if (!NT_SUCCESS(Status))
        return Status;
    FAT_RAW_DIRENT Set[FAT_LFN_MAX_ENTRIES + 1];
    for (ULONG K = 0; K < LfnCount; K++)
        FatpBuildLfn(&Set[K], Name, Length, LfnCount - K, K == 0, FatShortChecksum(Short));
    E = *Template;
    RtlCopyMemory(E.Name, Short, 11);
    E.NtRes = NtRes;
    Set[LfnCount] = E;
    Status = FatWriteDirEntries(Vol, Dir, Start, LfnCount + 1, Set);
    if (!NT_SUCCESS(Status))
        return Status;
    *LfnIndex = Start;
    *ShortIndex = Start + LfnCount;
    *Written = E;
    return STATUS_SUCCESS;
}

/* All of a name's entries are marked deleted together: one write for those in one sector. */
NTSTATUS FatRemoveEntry(PFAT_VOLUME Vol, FAT_DIR Dir, ULONG LfnIndex, ULONG ShortIndex)
{
    FAT_RAW_DIRENT Set[FAT_LFN_MAX_ENTRIES + 1];
    ULONG Count = ShortIndex - LfnIndex + 1;
    NTSTATUS Status;

    if (ShortIndex < LfnIndex || Count > RTL_NUMBER_OF(Set))
        return STATUS_FILE_CORRUPT_ERROR;
    for (ULONG I = 0; I < Count; I++) {
        Status = FatReadDirEntry(Vol, Dir, LfnIndex + I, &Set[I]);
        if (!NT_SUCCESS(Status))
            return Status;
        Set[I].Name[0] = FAT_DELETED_MARK;
    }
    return FatWriteDirEntries(Vol, Dir, LfnIndex, Count, Set);
}

NTSTATUS FatInitDirectoryCluster(PFAT_VOLUME Vol, ULONG Cluster, FAT_DIR Parent,
                                 const FAT_RAW_DIRENT *Self)
{
    ULONG64 Base = FatClusterOffset(Vol, Cluster);
    FAT_RAW_DIRENT Dot = *Self;
    NTSTATUS Status = FatpZeroCluster(Vol, Cluster);

    if (!NT_SUCCESS(Status))
        return Status;
    RtlCopyMemory(Dot.Name, ".          ", 11);
    Dot.Attr = FAT_ATTR_DIRECTORY;
    Dot.NtRes = 0;
    Dot.FileSize = 0;
    FatSetEntryCluster(&Dot, Cluster);
    Status = FatCachedWrite(Vol, Base, &Dot, FAT_DIRENT_SIZE);
    if (!NT_SUCCESS(Status))
        return Status;
    /* ".." names the root as cluster 0 on every FAT type, including FAT32. */
    RtlCopyMemory(Dot.Name, "..         ", 11);
    FatSetEntryCluster(&Dot, Parent == FatRootDir(Vol) ? 0 : Parent);
    return FatCachedWrite(Vol, Base + FAT_DIRENT_SIZE, &Dot, FAT_DIRENT_SIZE);
}
