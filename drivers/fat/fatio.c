/* fatio.c - the only path to the media: sector transfers through the caller's callback,
 * a one-sector cache for directory entries, and byte-range helpers for file data. */
#include "fatp.h"

PVOID FatAllocate(SIZE_T Bytes, ULONG Tag)
{
    PVOID P = ExAllocatePoolWithTag(0, Bytes, Tag);
    if (P)
        RtlZeroMemory(P, Bytes);
    return P;
}

VOID FatFree(PVOID P, ULONG Tag)
{
    if (P)
        ExFreePoolWithTag(P, Tag);
}

ULONG64 FatClusterOffset(PFAT_VOLUME Vol, ULONG Cluster)
{
    return ((ULONG64)Vol->FirstDataSector + (ULONG64)(Cluster - 2) * Vol->SectorsPerCluster) *
           Vol->BytesPerSector;
}

static BOOLEAN FatpInDisk(PFAT_VOLUME Vol, ULONG64 Offset, ULONG Length)
{
    /* Mount proved the layout fits; this is a last guard against arithmetic slips. */
    return Offset <= Vol->DiskLength && Length <= Vol->DiskLength - Offset;
}

NTSTATUS FatDiskRead(PFAT_VOLUME Vol, ULONG64 Offset, PVOID Buffer, ULONG Length)
{
    if (!FatpInDisk(Vol, Offset, Length))
        return STATUS_DISK_CORRUPT_ERROR;
    return Vol->Io(Vol->IoContext, FALSE, Offset, Buffer, Length);
}

NTSTATUS FatDiskWrite(PFAT_VOLUME Vol, ULONG64 Offset, const VOID *Buffer, ULONG Length)
{
    if (!FatpInDisk(Vol, Offset, Length))
        return STATUS_DISK_CORRUPT_ERROR;
    /* Keep the cached sector coherent when file data lands on a former directory sector. */
    if (Vol->CacheValid && Vol->CachedOffset >= Offset && Vol->CachedOffset < Offset + Length)
        RtlCopyMemory(Vol->SectorCache, (const UCHAR *)Buffer + (Vol->CachedOffset - Offset),
                      Vol->BytesPerSector);
    /* The callback signature is shared with reads, hence the cast away from const. */
    NTSTATUS Status = Vol->Io(Vol->IoContext, TRUE, Offset, (PVOID)Buffer, Length);
    if (!NT_SUCCESS(Status))
        Vol->CacheValid = FALSE;
    return Status;
}

static NTSTATUS FatpLoadCache(PFAT_VOLUME Vol, ULONG64 Sector)
{
    if (Vol->CacheValid && Vol->CachedOffset == Sector)
        return STATUS_SUCCESS;
    Vol->CacheValid = FALSE;
    NTSTATUS Status = FatDiskRead(Vol, Sector, Vol->SectorCache, Vol->BytesPerSector);
    if (!NT_SUCCESS(Status))
        return Status;
    Vol->CachedOffset = Sector;
    Vol->CacheValid = TRUE;
    return STATUS_SUCCESS;
}

NTSTATUS FatCachedRead(PFAT_VOLUME Vol, ULONG64 Offset, PVOID Buffer, ULONG Length)
{
    ULONG64 Sector = Offset - Offset % Vol->BytesPerSector;
    NTSTATUS Status = FatpLoadCache(Vol, Sector);
    if (NT_SUCCESS(Status))
        RtlCopyMemory(Buffer, Vol->SectorCache + (Offset - Sector), Length);
    return Status;
}

NTSTATUS FatCachedWrite(PFAT_VOLUME Vol, ULONG64 Offset, const VOID *Buffer, ULONG Length)
{
    ULONG64 Sector = Offset - Offset % Vol->BytesPerSector;
    NTSTATUS Status = FatpLoadCache(Vol, Sector);
    if (!NT_SUCCESS(Status))
        return Status;
    RtlCopyMemory(Vol->SectorCache + (Offset - Sector), Buffer, Length);
    Status = Vol->Io(Vol->IoContext, TRUE, Sector, Vol->SectorCache, Vol->BytesPerSector);
    if (!NT_SUCCESS(Status))
        Vol->CacheValid = FALSE;
    return Status;
}

/* Shared walker for byte ranges: whole sectors go straight to the media, edges are merged
 * in the scratch sector. Source NULL means "write zeros". */
static NTSTATUS FatpRange(PFAT_VOLUME Vol, BOOLEAN Write, ULONG64 Offset, PUCHAR Buffer,
                          const UCHAR *Source, ULONG Length)
{
    ULONG Bps = Vol->BytesPerSector;
    NTSTATUS Status = STATUS_SUCCESS;

    while (Length) {
        ULONG InSector = (ULONG)(Offset % Bps);
        ULONG64 Sector = Offset - InSector;
        ULONG Chunk;

        if (InSector == 0 && Length >= Bps) {
            Chunk = Length - Length % Bps;
            if (!Write) {
                Status = FatDiskRead(Vol, Sector, Buffer, Chunk);
            } else if (Source) {
                Status = FatDiskWrite(Vol, Sector, Source, Chunk);
            } else {
                /* ZeroCluster bounds each zero write to one cluster's worth. */
                if (Chunk > Vol->BytesPerCluster)
                    Chunk = Vol->BytesPerCluster;
                Status = FatDiskWrite(Vol, Sector, Vol->ZeroCluster, Chunk);
            }
        } else {
            Chunk = Bps - InSector;
            if (Chunk > Length)
                Chunk = Length;
            Status = FatDiskRead(Vol, Sector, Vol->Scratch, Bps);
            if (NT_SUCCESS(Status)) {
                if (!Write) {
                    RtlCopyMemory(Buffer, Vol->Scratch + InSector, Chunk);
                } else {
                    if (Source)
                        RtlCopyMemory(Vol->Scratch + InSector, Source, Chunk);
                    else
                        RtlZeroMemory(Vol->Scratch + InSector, Chunk);
                    Status = FatDiskWrite(Vol, Sector, Vol->Scratch, Bps);
                }
            }
        }
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

NTSTATUS FatRangeRead(PFAT_VOLUME Vol, ULONG64 Offset, PVOID Buffer, ULONG Length)
{
    return FatpRange(Vol, FALSE, Offset, Buffer, NULL, Length);
}

NTSTATUS FatRangeWrite(PFAT_VOLUME Vol, ULONG64 Offset, const VOID *Buffer, ULONG Length)
{
    return FatpRange(Vol, TRUE, Offset, NULL, Buffer, Length);
}

NTSTATUS FatRangeZero(PFAT_VOLUME Vol, ULONG64 Offset, ULONG Length)
{
    return FatpRange(Vol, TRUE, Offset, NULL, NULL, Length);
}
