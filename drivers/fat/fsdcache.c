/* drivers/fat/fsdcache.c - per-file read-ahead: a small read that continues where the last one
 * ended fills a 128 KiB window with one engine read, and the reads after it are copied from it. */
#include "fsd.h"

#define FSD_RA_WINDOW (128 * 1024) /* what Linux reads ahead by default */

/* IRQL == PASSIVE_LEVEL, volume lock held. TRUE when the read was served from the window
 * (*Done bytes, STATUS_SUCCESS); FALSE leaves it to the disk paths. Requests larger than a
 * quarter window, random ones and IRP_NOCACHE ones never come here, so they stay asynchronous. */
BOOLEAN FatFsdReadCached(PFSD_FCB Fcb, LONGLONG Offset, PVOID Buffer, ULONG Length, PULONG Done)
{
    ULONG64 off = (ULONG64)Offset, end;
    BOOLEAN sequential = off == Fcb->NextRead;
    ULONG got;

    Fcb->NextRead = off + Length;
    if (!Length || Length > FSD_RA_WINDOW / 4)
        return FALSE;
    end = Fcb->RaOffset + Fcb->RaValid;
    /* A short window ended at end of file, so a read running past it is still fully served. */
    if (!(Fcb->RaValid && off >= Fcb->RaOffset && off < end &&
          (off + Length <= end || Fcb->RaValid < FSD_RA_WINDOW))) {
        if (!sequential)
            return FALSE;
        if (!Fcb->RaBuffer && !(Fcb->RaBuffer = ExAllocatePoolWithTag(NonPagedPool, FSD_RA_WINDOW, FSD_TAG)))
            return FALSE;
        Fcb->RaValid = 0;
        if (!NT_SUCCESS(FatReadFile(Fcb->File, off, Fcb->RaBuffer, FSD_RA_WINDOW, &got)))
            return FALSE; /* end of file or a disk error: the disk path reports it */
        Fcb->RaOffset = off;
        Fcb->RaValid = got;
        Fcb->RaFills++;
        end = off + got;
    }
    *Done = off + Length <= end ? Length : (ULONG)(end - off);
    RtlCopyMemory(Buffer, Fcb->RaBuffer + (off - Fcb->RaOffset), *Done);
    Fcb->RaHits++;
    return TRUE;
}

/* IRQL == PASSIVE_LEVEL, volume lock held. Any change to the file's data or size. */
VOID FatFsdInvalidateCache(PFSD_FCB Fcb) { Fcb->RaValid = 0; }

/* IRQL == PASSIVE_LEVEL. The FCB is going away. */
VOID FatFsdFreeCache(PFSD_FCB Fcb)
{
    if (Fcb->RaBuffer)
        ExFreePoolWithTag(Fcb->RaBuffer, FSD_TAG);
    Fcb->RaBuffer = NULL;
    Fcb->RaValid = 0;
}
