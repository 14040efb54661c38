/* fattable.c - the file allocation table: FAT12/16/32 entry encoding, chain walking with
 * corruption checks, cluster allocation and freeing, and writing back every FAT copy. */
#include "fatp.h"

/* Whole-table I/O goes in pieces so a huge FAT32 never needs one giant transfer. */
#define FATP_IO_CHUNK 65536

static ULONG FatpEndOfChain(PFAT_VOLUME Vol)
{
    return Vol->FatType == 12 ? 0xFFF : Vol->FatType == 16 ? 0xFFFF : 0x0FFFFFFF;
}

static BOOLEAN FatpIsEndOfChain(PFAT_VOLUME Vol, ULONG Value)
{
    return Value >= (FatpEndOfChain(Vol) & ~7u);
}

BOOLEAN FatIsValidCluster(PFAT_VOLUME Vol, ULONG Cluster)
{
    return Cluster >= 2 && Cluster <= Vol->ClusterCount + 1;
}

static VOID FatpMarkDirty(PFAT_VOLUME Vol, ULONG ByteOffset)
{
    ULONG Sector = ByteOffset / Vol->BytesPerSector;
    Vol->FatDirty[Sector / 8] |= (UCHAR)(1u << (Sector % 8));
}

ULONG FatGetEntry(PFAT_VOLUME Vol, ULONG Cluster)
{
    PUCHAR Fat = Vol->Fat;
    if (Vol->FatType == 12) {
        ULONG Off = Cluster + Cluster / 2;
        ULONG V = Fat[Off] | (Fat[Off + 1] << 8);
        return (Cluster & 1) ? V >> 4 : V & 0xFFF;
    }
    if (Vol->FatType == 16)
        return FatLe16(Fat + Cluster * 2);
    return FatLe32(Fat + Cluster * 4) & 0x0FFFFFFF;
}

VOID FatSetEntry(PFAT_VOLUME Vol, ULONG Cluster, ULONG Value)
{
    PUCHAR Fat = Vol->Fat;
    if (Vol->FatType == 12) {
        ULONG Off = Cluster + Cluster / 2;
        Value &= 0xFFF;
        if (Cluster & 1) {
            Fat[Off] = (UCHAR)((Fat[Off] & 0x0F) | ((Value << 4) & 0xF0));
            Fat[Off + 1] = (UCHAR)(Value >> 4);
        } else {
            Fat[Off] = (UCHAR)Value;
            Fat[Off + 1] = (UCHAR)((Fat[Off + 1] & 0xF0) | (Value >> 8));
        }
        /* A FAT12 entry may straddle two sectors. */
        FatpMarkDirty(Vol, Off);
        FatpMarkDirty(Vol, Off + 1);
    } else if (Vol->FatType == 16) {
        Fat[Cluster * 2] = (UCHAR)Value;
        Fat[Cluster * 2 + 1] = (UCHAR)(Value >> 8);
        FatpMarkDirty(Vol, Cluster * 2);
    } else {
        /* The top four bits are reserved and must survive an update. */
        ULONG Old = FatLe32(Fat + Cluster * 4);
        FatPut32(Fat + Cluster * 4, (Old & 0xF0000000) | (Value & 0x0FFFFFFF));
        FatpMarkDirty(Vol, Cluster * 4);
    }
}

NTSTATUS FatLoadTable(PFAT_VOLUME Vol)
{
    ULONG Bytes = Vol->FatSectors * Vol->BytesPerSector;
    ULONG64 Base = (ULONG64)Vol->ReservedSectors * Vol->BytesPerSector;
    NTSTATUS Status;

    Vol->Fat = FatAllocate(Bytes, FAT_TAG_TABLE);
    Vol->FatDirty = FatAllocate(Vol->FatSectors / 8 + 1, FAT_TAG_TABLE);
    if (!Vol->Fat || !Vol->FatDirty)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (ULONG Done = 0; Done < Bytes; Done += FATP_IO_CHUNK) {
        ULONG Chunk = Bytes - Done < FATP_IO_CHUNK ? Bytes - Done : FATP_IO_CHUNK;
        Status = FatDiskRead(Vol, Base + Done, Vol->Fat + Done, Chunk);
        if (!NT_SUCCESS(Status))
            return Status;
    }
    /* The exact free count lets allocation fail up front instead of half way. */
    Vol->FreeClusters = 0;
    for (ULONG C = 2; C <= Vol->ClusterCount + 1; C++)
        if (FatGetEntry(Vol, C) == 0)
            Vol->FreeClusters++;
    Vol->NextFreeHint = 2;
    return STATUS_SUCCESS;
}

NTSTATUS FatNextCluster(PFAT_VOLUME Vol, ULONG Cluster, PULONG Next)
{
    ULONG V = FatGetEntry(Vol, Cluster);
    if (FatpIsEndOfChain(Vol, V))
        return STATUS_END_OF_FILE;
    if (!FatIsValidCluster(Vol, V))
        return STATUS_DISK_CORRUPT_ERROR;
    *Next = V;
    return STATUS_SUCCESS;
}

NTSTATUS FatContiguousRun(PFAT_VOLUME Vol, ULONG Cluster, ULONG Max, PULONG Count, PULONG Next)
{
    ULONG N = 1, C = Cluster;
    for (;;) {
        ULONG V = FatGetEntry(Vol, C);
        if (FatpIsEndOfChain(Vol, V)) {
            *Next = 0;
            break;
        }
        if (!FatIsValidCluster(Vol, V))
            return STATUS_DISK_CORRUPT_ERROR;
        if (V != C + 1 || N == Max) {
            *Next = V;
            break;
        }
        C = V;
        N++;
    }
    *Count = N;
    return STATUS_SUCCESS;
}

NTSTATUS FatSeekCluster(PFAT_VOLUME Vol, ULONG First, ULONG Index, PFAT_CHAIN_CURSOR Cursor,
                        PULONG Cluster)
{
    ULONG At = 0, C = First;
    NTSTATUS Status;

    if (!FatIsValidCluster(Vol, First))
        return STATUS_DISK_CORRUPT_ERROR;
    if (Cursor && Cursor->First == First && Cursor->Index <= Index &&
        FatIsValidCluster(Vol, Cursor->Cluster)) {
        At = Cursor->Index;
        C = Cursor->Cluster;
    }
    /* No sound chain is longer than the cluster count, so a longer walk means a loop. */
    if (Index > Vol->ClusterCount)
        return STATUS_DISK_CORRUPT_ERROR;
    while (At < Index) {
        Status = FatNextCluster(Vol, C, &C);
        if (!NT_SUCCESS(Status))
            return Status;
        At++;
    }
    if (Cursor) {
        Cursor->First = First;
        Cursor->Index = At;
        Cursor->Cluster = C;
    }
    *Cluster = C;
    return STATUS_SUCCESS;
}

NTSTATUS FatChainLength(PFAT_VOLUME Vol, ULONG First, PULONG Length, PULONG Last)
{
    ULONG C = First, N = 1, Next;
    NTSTATUS Status;

    if (!FatIsValidCluster(Vol, First))
        return STATUS_DISK_CORRUPT_ERROR;
    for (;;) {
        Status = FatNextCluster(Vol, C, &Next);
        if (Status == STATUS_END_OF_FILE)
            break;
        if (!NT_SUCCESS(Status))
            return Status;
        if (++N > Vol->ClusterCount)
            return STATUS_DISK_CORRUPT_ERROR;
        C = Next;
    }
    *Length = N;
    if (Last)
        *Last = C;
    return STATUS_SUCCESS;
}

NTSTATUS FatAllocateClusters(PFAT_VOLUME Vol, ULONG Count, ULONG Tail, PULONG First, PULONG Last)
{
    ULONG Eoc = FatpEndOfChain(Vol);
    ULONG Prev = Tail, Got = 0, Head = 0;
    ULONG C = Vol->NextFreeHint;

    if (Count == 0 || Count > Vol->FreeClusters)
        return Count ? STATUS_DISK_FULL : STATUS_INVALID_PARAMETER;
    for (ULONG Scanned = 0; Scanned < Vol->ClusterCount && Got < Count; Scanned++) {
        if (!FatIsValidCluster(Vol, C))
            C = 2;
        if (FatGetEntry(Vol, C) == 0) {
            FatSetEntry(Vol, C, Eoc);
            if (Prev)
                FatSetEntry(Vol, Prev, C);
            if (!Head)
                Head = C;
            Prev = C;
            Got++;
        }
        C++;
    }
    if (Got < Count) {
        /* Only reachable if FreeClusters drifted; undo so the caller sees no change. */
        if (Head)
            FatFreeChain(Vol, Head);
        if (Tail)
            FatSetEntry(Vol, Tail, Eoc);
        Vol->FreeClusters = 0;
        return STATUS_DISK_FULL;
    }
    Vol->FreeClusters -= Count;
    Vol->NextFreeHint = FatIsValidCluster(Vol, C) ? C : 2;
    Vol->FsInfoDirty = TRUE;
    *First = Head;
    if (Last)
        *Last = Prev;
    return STATUS_SUCCESS;
}

VOID FatFreeChain(PFAT_VOLUME Vol, ULONG First)
{
    ULONG C = First;

    /* A freed cluster may be reused by another chain; cached positions would then lie. */
    Vol->DirCursor.First = 0;
    for (ULONG Steps = 0; Steps <= Vol->ClusterCount && FatIsValidCluster(Vol, C); Steps++) {
        ULONG Next = FatGetEntry(Vol, C);
        if (Next == 0)
            break;      /* already free: a loop back into what we freed */
        FatSetEntry(Vol, C, 0);
        Vol->FreeClusters++;
        if (C < Vol->NextFreeHint)
            Vol->NextFreeHint = C;
        C = Next;
    }
    Vol->FsInfoDirty = TRUE;
}

NTSTATUS FatTruncateChain(PFAT_VOLUME Vol, ULONG First, ULONG Keep)
{
    ULONG LastKept, Rest;
    NTSTATUS Status = FatSeekCluster(Vol, First, Keep - 1, NULL, &LastKept);

    if (!NT_SUCCESS(Status))
        return Status;
    Status = FatNextCluster(Vol, LastKept, &Rest);
    if (Status == STATUS_END_OF_FILE)
        return STATUS_SUCCESS;
    FatSetEntry(Vol, LastKept, FatpEndOfChain(Vol));
    if (NT_SUCCESS(Status))
        FatFreeChain(Vol, Rest);
    /* A corrupt link past the kept part is cut off; the damage is no longer reachable. */
    return STATUS_SUCCESS;
}

static NTSTATUS FatpWriteFsInfo(PFAT_VOLUME Vol)
{
    ULONG64 Off = (ULONG64)Vol->FsInfoSector * Vol->BytesPerSector;
    NTSTATUS Status = FatDiskRead(Vol, Off, Vol->Scratch, Vol->BytesPerSector);
    if (!NT_SUCCESS(Status))
        return Status;
    /* Skipping an unchanged sector keeps a mount that only reads from writing anything. */
    if (FatLe32(Vol->Scratch + 488) == Vol->FreeClusters && FatLe32(Vol->Scratch + 492) == Vol->NextFreeHint)
        return STATUS_SUCCESS;
    FatPut32(Vol->Scratch + 488, Vol->FreeClusters);
    FatPut32(Vol->Scratch + 492, Vol->NextFreeHint);
    return FatDiskWrite(Vol, Off, Vol->Scratch, Vol->BytesPerSector);
}

NTSTATUS FatFlushTable(PFAT_VOLUME Vol)
{
    ULONG Bps = Vol->BytesPerSector;
    NTSTATUS Status;

    for (ULONG S = 0; S < Vol->FatSectors;) {
        if (!(Vol->FatDirty[S / 8] & (1u << (S % 8)))) {
            S++;
            continue;
        }
        /* Coalesce a run of dirty sectors into one transfer per FAT copy. */
        ULONG Run = 0;
        while (S + Run < Vol->FatSectors && (Vol->FatDirty[(S + Run) / 8] & (1u << ((S + Run) % 8))) &&
               (Run + 1) * Bps <= FATP_IO_CHUNK)
            Run++;
        for (ULONG Copy = 0; Copy < Vol->NumberOfFats; Copy++) {
            ULONG64 Off = ((ULONG64)Vol->ReservedSectors + (ULONG64)Copy * Vol->FatSectors + S) * Bps;
            Status = FatDiskWrite(Vol, Off, Vol->Fat + (ULONG64)S * Bps, Run * Bps);
            if (!NT_SUCCESS(Status))
                return Status;
        }
        for (ULONG I = 0; I < Run; I++, S++)
            Vol->FatDirty[S / 8] &= (UCHAR)~(1u << (S % 8));
    }
    if (Vol->FatType == 32 && Vol->FsInfoSector && Vol->FsInfoDirty) {
        Status = FatpWriteFsInfo(Vol);
        if (!NT_SUCCESS(Status))
            return Status;
    }
    Vol->FsInfoDirty = FALSE;
    return STATUS_SUCCESS;
}
