/* fatfile.c - file contents and per-file metadata: read, write, extend and truncate through
 * the cluster chain, keeping the short directory entry in step with the FCB. */
#include "fatp.h"

#define FATP_MAX_FILE_SIZE 0xFFFFFFFFull
/* Upper bound for one media transfer, so a RAM-disk IRP never has to map a huge buffer. */
#define FATP_MAX_TRANSFER (256 * 1024)

FAT_DIR FatFcbDir(PFAT_FCB Fcb)
{
    return Fcb->IsRoot ? FatRootDir(Fcb->Volume) : Fcb->FirstCluster;
}

NTSTATUS FatWriteFcbEntry(PFAT_FCB Fcb)
{
    if (Fcb->IsRoot)
        return STATUS_SUCCESS;  /* the root has no entry of its own */
    Fcb->Entry.FileSize = Fcb->IsDirectory ? 0 : Fcb->FileSize;
    FatSetEntryCluster(&Fcb->Entry, Fcb->FirstCluster);
    /* A failed write leaves the entry dirty, so the next flush or close tries again (a
     * campaign finding: a cleanup whose entry write failed lost a cached write's new size). */
    NTSTATUS Status = FatWriteDirEntry(Fcb->Volume, Fcb->Parent, Fcb->EntryIndex, &Fcb->Entry);
    Fcb->EntryDirty = !NT_SUCCESS(Status);
    return Status;
}

/* Move bytes between Buffer and [Offset, Offset+Length) of the file; Source NULL on a write
 * means zeros. The range must already be allocated. */
static NTSTATUS FatpTransfer(PFAT_FCB Fcb, BOOLEAN Write, ULONG Offset, PUCHAR Buffer,
                             const UCHAR *Source, ULONG Length)
{
    PFAT_VOLUME Vol = Fcb->Volume;
    ULONG Bpc = Vol->BytesPerCluster;
    NTSTATUS Status;

    while (Length) {
        ULONG Cluster, InCluster = Offset % Bpc;
        ULONG Chunk = Bpc - InCluster < Length ? Bpc - InCluster : Length;

        Status = FatSeekCluster(Vol, Fcb->FirstCluster, Offset / Bpc, &Fcb->Cursor, &Cluster);
        if (Status == STATUS_END_OF_FILE)
            Status = STATUS_DISK_CORRUPT_ERROR;     /* chain shorter than the size says */
        if (!NT_SUCCESS(Status))
            return Status;
        /* Physically contiguous clusters become one transfer; files are mostly laid out so. */
        for (ULONG Run = Cluster, Next; Chunk < Length && Chunk < FATP_MAX_TRANSFER; Run = Next) {
            if (!NT_SUCCESS(FatNextCluster(Vol, Run, &Next)) || Next != Run + 1)
                break;
            Chunk += Length - Chunk < Bpc ? Length - Chunk : Bpc;
        }
        ULONG64 Disk = FatClusterOffset(Vol, Cluster) + InCluster;
        if (!Write)
            Status = FatRangeRead(Vol, Disk, Buffer, Chunk);
        else if (Source)
            Status = FatRangeWrite(Vol, Disk, Source, Chunk);
        else
            Status = FatRangeZero(Vol, Disk, Chunk);
        if (!NT_SUCCESS(Status))
            return Status;
        Offset += Chunk;
        Length -= Chunk;
        if (Buffer)
            Buffer += Chunk;
        if (Source)
            Source += Chunk;
    }
    return STATUS_SUCCESS;
}

NTSTATUS FatResizeFcb(PFAT_FCB Fcb, ULONG NewSize, ULONG ZeroUpTo)
{
    PFAT_VOLUME Vol = Fcb->Volume;
    ULONG Needed = (ULONG)(((ULONG64)NewSize + Vol->BytesPerCluster - 1) / Vol->BytesPerCluster);
    NTSTATUS Status;

    if (Needed > Fcb->Clusters) {
        ULONG First, Last;
        Status = FatAllocateClusters(Vol, Needed - Fcb->Clusters, Fcb->LastCluster, &First, &Last);
        if (!NT_SUCCESS(Status))
            return Status;
        if (!Fcb->FirstCluster)
            Fcb->FirstCluster = First;
        Fcb->LastCluster = Last;
        Fcb->Clusters = Needed;
    } else if (Needed < Fcb->Clusters) {
        Fcb->Cursor.First = 0;
        if (Needed == 0) {
            FatFreeChain(Vol, Fcb->FirstCluster);
            Fcb->FirstCluster = 0;
            Fcb->LastCluster = 0;
        } else {
            Status = FatTruncateChain(Vol, Fcb->FirstCluster, Needed);
            if (NT_SUCCESS(Status))
                Status = FatSeekCluster(Vol, Fcb->FirstCluster, Needed - 1, NULL, &Fcb->LastCluster);
            if (!NT_SUCCESS(Status))
                return Status;
        }
        Fcb->Clusters = Needed;
    }
    if (ZeroUpTo > NewSize)
        ZeroUpTo = NewSize;
    if (ZeroUpTo > Fcb->FileSize) {
        /* Old bytes past EOF in the last cluster, or a reused cluster, must not show through. */
        Status = FatpTransfer(Fcb, TRUE, Fcb->FileSize, NULL, NULL, ZeroUpTo - Fcb->FileSize);
        if (!NT_SUCCESS(Status))
            return Status;
    }
    Fcb->FileSize = NewSize;
    return STATUS_SUCCESS;
}

static VOID FatpTouch(PFAT_FCB Fcb)
{
    FatStampNow(Fcb->Volume, &Fcb->Entry.WrtDate, &Fcb->Entry.WrtTime, NULL);
    Fcb->Entry.LstAccDate = Fcb->Entry.WrtDate;
    Fcb->Entry.Attr |= FAT_ATTR_ARCHIVE;
}

static NTSTATUS FatpCheckFile(PFAT_FCB Fcb)
{
    if (Fcb->Deleted)
        return STATUS_FILE_DELETED;
    if (Fcb->IsDirectory)
        return STATUS_FILE_IS_A_DIRECTORY;
    return STATUS_SUCCESS;
}

NTSTATUS FatReadFile(PFAT_FCB Fcb, ULONG64 Offset, PVOID Buffer, ULONG Length, PULONG BytesRead)
{
    NTSTATUS Status = FatpCheckFile(Fcb);

    *BytesRead = 0;
    if (!NT_SUCCESS(Status))
        return Status;
    if (Length == 0)
        return STATUS_SUCCESS;
    if (Offset >= Fcb->FileSize)
        return STATUS_END_OF_FILE;
    if (Length > Fcb->FileSize - Offset)
        Length = (ULONG)(Fcb->FileSize - Offset);
    Status = FatpTransfer(Fcb, FALSE, (ULONG)Offset, Buffer, NULL, Length);
    if (NT_SUCCESS(Status))
        *BytesRead = Length;
    return Status;
}

NTSTATUS FatMapFileRange(PFAT_FCB Fcb, ULONG64 Offset, ULONG Length, PFAT_RUN Runs, ULONG MaxRuns,
                         PULONG RunCount, PULONG Mapped)
{
    PFAT_VOLUME Vol = Fcb->Volume;
    ULONG Bpc = Vol->BytesPerCluster, N = 0, Done = 0;
    NTSTATUS Status = FatpCheckFile(Fcb);

    *RunCount = 0;
    *Mapped = 0;
    if (!NT_SUCCESS(Status))
        return Status;
    if (Offset >= Fcb->FileSize)
        return Length ? STATUS_END_OF_FILE : STATUS_SUCCESS;
    if (Length > Fcb->FileSize - Offset)
        Length = (ULONG)(Fcb->FileSize - Offset);
    /* One seek to the first cluster, then the chain is followed a run of clusters that lie one
     * after another at a time: a run is one disk piece, whatever its length. */
    ULONG Index = (ULONG)(Offset / Bpc), Cluster;
    Status = FatSeekCluster(Vol, Fcb->FirstCluster, Index, &Fcb->Cursor, &Cluster);
    while (NT_SUCCESS(Status)) {
        ULONG InCluster = (ULONG)((Offset + Done) % Bpc), Count, Next;
        ULONG Wanted = (ULONG)(((ULONG64)InCluster + (Length - Done) + Bpc - 1) / Bpc);
        Status = FatContiguousRun(Vol, Cluster, Wanted, &Count, &Next);
        if (!NT_SUCCESS(Status))
            break;
        ULONG64 RunBytes = (ULONG64)Count * Bpc - InCluster;
        ULONG Chunk = RunBytes < Length - Done ? (ULONG)RunBytes : Length - Done;
        ULONG64 Disk = FatClusterOffset(Vol, Cluster) + InCluster;
        if (Disk > Vol->DiskLength || Chunk > Vol->DiskLength - Disk)
            return STATUS_DISK_CORRUPT_ERROR;
        if (N && Runs[N - 1].DiskOffset + Runs[N - 1].Length == Disk) {
            Runs[N - 1].Length += Chunk;   /* physically contiguous with the previous piece */
        } else {
            if (N == MaxRuns)
                return STATUS_BUFFER_OVERFLOW;
            Runs[N].DiskOffset = Disk;
            Runs[N].Length = Chunk;
            N++;
        }
        Done += Chunk;
        /* the cursor follows (the next range starts about here): the run's last cluster */
        Fcb->Cursor.Index = Index + Count - 1;
        Fcb->Cursor.Cluster = Cluster + Count - 1;
        if (Done == Length)
            break;
        if (!Next) {
            Status = STATUS_END_OF_FILE;
            break;
        }
        Index += Count;
        Cluster = Next;
    }
    if (Status == STATUS_END_OF_FILE) /* the chain ends before the size: the entry lies */
        Status = STATUS_DISK_CORRUPT_ERROR;
    if (!NT_SUCCESS(Status))
        return Status;
    *RunCount = N;
    *Mapped = Length;
    return STATUS_SUCCESS;
}

/* Shrinking: the entry first, then the clusters are freed (their FAT sectors reach the disk
 * with the next entry write or flush), so an error or a power cut in between leaves clusters
 * fsck reclaims, never an entry longer than its chain or naming a free cluster. */
static NTSTATUS FatpShrink(PFAT_FCB Fcb, ULONG NewSize)
{
    ULONG Old = Fcb->FileSize, OldFirst = Fcb->FirstCluster;
    NTSTATUS Status;
    Fcb->FileSize = NewSize;
    if (NewSize == 0)
        Fcb->FirstCluster = 0;
    FatpTouch(Fcb);
    Status = FatWriteFcbEntry(Fcb);
    Fcb->FirstCluster = OldFirst;
    if (!NT_SUCCESS(Status)) {
        Fcb->FileSize = Old;
        return Status;
    }
    return FatResizeFcb(Fcb, NewSize, NewSize);
}

/* Checks a write of [Offset, Offset+Length) and allocates what it needs first, so a full disk
 * leaves the file unchanged. */
static NTSTATUS FatpGrowForWrite(PFAT_FCB Fcb, ULONG64 Offset, ULONG Length)
{
    NTSTATUS Status = FatpCheckFile(Fcb);
    ULONG64 End = Offset + Length;

    if (!NT_SUCCESS(Status))
        return Status;
    if (Offset > FATP_MAX_FILE_SIZE || End > FATP_MAX_FILE_SIZE)
        return STATUS_DISK_FULL;
    return End > Fcb->FileSize ? FatResizeFcb(Fcb, (ULONG)End, (ULONG)Offset) : STATUS_SUCCESS;
}

NTSTATUS FatPrepareWrite(PFAT_FCB Fcb, ULONG64 Offset, ULONG Length)
{
    NTSTATUS Status = FatpGrowForWrite(Fcb, Offset, Length);
    if (!NT_SUCCESS(Status))
        return Status;
    FatpTouch(Fcb);
    return FatWriteFcbEntry(Fcb);
}

NTSTATUS FatGrowFile(PFAT_FCB Fcb, ULONG64 Offset, ULONG Length)
{
    NTSTATUS Status = FatpGrowForWrite(Fcb, Offset, Length);
    if (!NT_SUCCESS(Status))
        return Status;
    FatpTouch(Fcb);
    Fcb->Entry.FileSize = Fcb->FileSize; /* what a rename copies must be current */
    FatSetEntryCluster(&Fcb->Entry, Fcb->FirstCluster);
    Fcb->EntryDirty = TRUE;
    return STATUS_SUCCESS;
}

NTSTATUS FatFlushFileEntry(PFAT_FCB Fcb)
{
    return Fcb->EntryDirty && !Fcb->Deleted ? FatWriteFcbEntry(Fcb) : STATUS_SUCCESS;
}

NTSTATUS FatWriteFile(PFAT_FCB Fcb, ULONG64 Offset, const VOID *Buffer, ULONG Length,
                      PULONG BytesWritten)
{
    NTSTATUS Status = FatpCheckFile(Fcb);

    *BytesWritten = 0;
    if (!NT_SUCCESS(Status) || Length == 0)
        return Status;
    ULONG OldSize = Fcb->FileSize;
    Status = FatpGrowForWrite(Fcb, Offset, Length);
    if (!NT_SUCCESS(Status))
        return Status;
    Status = FatpTransfer(Fcb, TRUE, (ULONG)Offset, NULL, Buffer, Length);
    FatpTouch(Fcb);
    NTSTATUS EntryStatus = FatWriteFcbEntry(Fcb);
    if (NT_SUCCESS(Status))
        Status = EntryStatus;
    if (!NT_SUCCESS(Status) && Fcb->FileSize > OldSize)
        FatpShrink(Fcb, OldSize); /* a failed write does not extend the file */
    if (NT_SUCCESS(Status))
        *BytesWritten = Length;
    return Status;
}

NTSTATUS FatSetEndOfFile(PFAT_FCB Fcb, ULONG64 NewSize)
{
    NTSTATUS Status = FatpCheckFile(Fcb);

    if (!NT_SUCCESS(Status))
        return Status;
    if (NewSize > FATP_MAX_FILE_SIZE)
        return STATUS_DISK_FULL;
    if (NewSize == Fcb->FileSize)
        return STATUS_SUCCESS;
    if (NewSize < Fcb->FileSize)
        return FatpShrink(Fcb, (ULONG)NewSize);
    Status = FatResizeFcb(Fcb, (ULONG)NewSize, (ULONG)NewSize);
    if (!NT_SUCCESS(Status))
        return Status;
    FatpTouch(Fcb);
    return FatWriteFcbEntry(Fcb);
}

/* The two sizes alone: the cached read path asks for them on every request, and needs none of
 * the rest of FatQueryFileInformation's record (nor its zeroing). */
VOID FatQueryFileSizes(PFAT_FCB Fcb, PULONG64 FileSize, PULONG64 AllocationSize)
{
    PFAT_VOLUME Vol = Fcb->Volume;
    *FileSize = Fcb->IsDirectory ? 0 : Fcb->FileSize;
    if (Fcb->IsRoot && Vol->FatType != 32)
        *AllocationSize = (ULONG64)Vol->RootEntryCount * FAT_DIRENT_SIZE;
    else
        *AllocationSize = (ULONG64)Fcb->Clusters * Vol->BytesPerCluster;
}

ULONG64 FatQueryFileSize(PFAT_FCB Fcb)
{
    return Fcb->IsDirectory ? 0 : __atomic_load_n(&Fcb->FileSize, __ATOMIC_RELAXED);
}

NTSTATUS FatQueryFileInformation(PFAT_FCB Fcb, PFAT_FILE_INFO Info)
{
    if (Fcb->Deleted)
        return STATUS_FILE_DELETED;
    RtlZeroMemory(Info, sizeof(*Info));
    FatQueryFileSizes(Fcb, &Info->FileSize, &Info->AllocationSize);
    Info->FirstCluster = Fcb->FirstCluster;
    Info->IsDirectory = Fcb->IsDirectory;
    Info->IsRoot = Fcb->IsRoot;
    Info->Attributes = Fcb->IsRoot ? FAT_ATTR_DIRECTORY : Fcb->Entry.Attr;
    if (!Fcb->IsRoot) {
        Info->CreateTimeTenth = Fcb->Entry.CrtTimeTenth;
        Info->CreateTime = Fcb->Entry.CrtTime;
        Info->CreateDate = Fcb->Entry.CrtDate;
        Info->AccessDate = Fcb->Entry.LstAccDate;
        Info->WriteTime = Fcb->Entry.WrtTime;
        Info->WriteDate = Fcb->Entry.WrtDate;
    }
    return STATUS_SUCCESS;
}

NTSTATUS FatSetFileAttributes(PFAT_FCB Fcb, UCHAR Attributes)
{
    const UCHAR Settable = FAT_ATTR_READ_ONLY | FAT_ATTR_HIDDEN | FAT_ATTR_SYSTEM | FAT_ATTR_ARCHIVE;

    if (Fcb->Deleted)
        return STATUS_FILE_DELETED;
    if (Fcb->IsRoot)
        return STATUS_INVALID_PARAMETER;
    Fcb->Entry.Attr = (UCHAR)((Fcb->Entry.Attr & ~Settable) | (Attributes & Settable));
    return FatWriteFcbEntry(Fcb);
}

NTSTATUS FatSetFileTimes(PFAT_FCB Fcb, USHORT CreateDate, USHORT CreateTime, USHORT AccessDate,
                         USHORT WriteDate, USHORT WriteTime)
{
    if (Fcb->Deleted)
        return STATUS_FILE_DELETED;
    if (Fcb->IsRoot)
        return STATUS_INVALID_PARAMETER;
    if (CreateDate != 0xFFFF)
        Fcb->Entry.CrtDate = CreateDate;
    if (CreateTime != 0xFFFF)
        Fcb->Entry.CrtTime = CreateTime;
    if (AccessDate != 0xFFFF)
        Fcb->Entry.LstAccDate = AccessDate;
    if (WriteDate != 0xFFFF)
        Fcb->Entry.WrtDate = WriteDate;
    if (WriteTime != 0xFFFF)
        Fcb->Entry.WrtTime = WriteTime;
    return FatWriteFcbEntry(Fcb);
}
