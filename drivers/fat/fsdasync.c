/* drivers/fat/fsdasync.c - file data sent to and from the disk as associated IRPs of the caller's
 * IRP, so the last disk completion finishes the caller's IRP from the disk's DPC (DISPATCH_LEVEL). */
#include "fsd.h"

#define FSD_MAX_PIECES 16

/* One associated IRP. A piece whose disk range does not start or end on a sector boundary moves
 * a whole sector through Bounce: a read's bytes are copied out by the completion routine, a
 * write's are copied in (zero padded; only a tail at end of file gets here) before sending. */
typedef struct _FSD_PIECE {
    struct _FSD_TRANSFER *Xfer;
    ULONG64 DiskOffset;
    ULONG DiskLength;
    ULONG BufferOffset;     /* where its bytes go in the caller's buffer */
    ULONG Length;           /* how many bytes go there */
    ULONG Skip;             /* first wanted byte inside Bounce */
    PUCHAR Bounce;
} FSD_PIECE, *PFSD_PIECE;

typedef struct _FSD_TRANSFER {
    PFSD_VCB Vcb;
    PIRP Master;
    PUCHAR Buffer;          /* system address of the caller's (locked) buffer */
    BOOLEAN Write;
    volatile LONG Pending;
    FSD_PIECE Pieces[FSD_MAX_PIECES];
    /* followed by two bounce sectors */
} FSD_TRANSFER, *PFSD_TRANSFER;

/* IO_COMPLETION_ROUTINE, IRQL <= DISPATCH_LEVEL, any thread. It lets completion go on: the
 * I/O manager frees the associated IRP and its MDL, and completes the master after the last.
 * The last piece also ends the transfer's hold on the volume lock, taken by the dispatch routine. */
static NTSTATUS FatFsdpPieceDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PFSD_PIECE piece = Context;
    PFSD_TRANSFER xfer = piece->Xfer;
    UNREFERENCED_PARAMETER(DeviceObject);
    FatFsdNoteDiskCompletion();
    if (!NT_SUCCESS(Irp->IoStatus.Status)) {
        xfer->Master->IoStatus.Status = Irp->IoStatus.Status;
        xfer->Master->IoStatus.Information = 0;
    } else if (piece->Bounce && !xfer->Write) {
        RtlCopyMemory(xfer->Buffer + piece->BufferOffset, piece->Bounce + piece->Skip, piece->Length);
    }
    if (Irp->PendingReturned) /* our own location above the disk's: the usual rule applies */
        IoMarkIrpPending(Irp);
    if (__atomic_sub_fetch(&xfer->Pending, 1, __ATOMIC_ACQ_REL) == 0) {
        FatFsdReleaseLockAnyThread(xfer->Vcb);
        ExFreePoolWithTag(xfer, FSD_TAG);
    }
    return STATUS_SUCCESS;
}

/* Cuts the runs into pieces: sector-aligned middles straight into the caller's buffer, the
 * unaligned head of the first run and tail of the last through a bounce sector each. */
static ULONG FatFsdpCutPieces(PFSD_TRANSFER Xfer, PFAT_RUN Runs, ULONG Count, ULONG Sector, PUCHAR Bounce)
{
    ULONG n = 0, at = 0, bounces = 0;
    for (ULONG r = 0; r < Count; r++) {
        ULONG64 disk = Runs[r].DiskOffset;
        ULONG left = Runs[r].Length;
        while (left) {
            ULONG in = (ULONG)(disk % Sector), take;
            PFSD_PIECE p = &Xfer->Pieces[n];
            if (n == FSD_MAX_PIECES)
                return 0;
            RtlZeroMemory(p, sizeof(*p));
            p->Xfer = Xfer;
            p->BufferOffset = at;
            if (in || left < Sector) {
                if (bounces == 2)
                    return 0;
                take = Sector - in < left ? Sector - in : left;
                p->Bounce = Bounce + bounces++ * Sector;
                p->Skip = in;
                p->DiskOffset = disk - in;
                p->DiskLength = Sector;
            } else {
                take = left - left % Sector;
                p->DiskOffset = disk;
                p->DiskLength = take;
            }
            p->Length = take;
            disk += take;
            left -= take;
            at += take;
            n++;
        }
    }
    return n;
}

/* Builds one associated IRP per piece; all or none. */
static BOOLEAN FatFsdpBuildPieces(PFSD_TRANSFER Xfer, ULONG Count, PIRP *Irps)
{
    PDEVICE_OBJECT target = Xfer->Vcb->TargetDevice;
    PMDL source = Xfer->Master->MdlAddress;
    for (ULONG i = 0; i < Count; i++) {
        PFSD_PIECE p = &Xfer->Pieces[i];
        PIRP a = IoMakeAssociatedIrp(Xfer->Master, (CCHAR)(target->StackSize + 1));
        PMDL mdl = NULL;
        if (a) {
            PVOID va = p->Bounce ? (PVOID)p->Bounce : (PUCHAR)MmGetMdlVirtualAddress(source) + p->BufferOffset;
            mdl = IoAllocateMdl(va, p->DiskLength, FALSE, FALSE, a);
        }
        if (!mdl) {
            if (a)
                IoFreeIrp(a);
            while (i--) {
                IoFreeMdl(Irps[i]->MdlAddress);
                IoFreeIrp(Irps[i]);
            }
            return FALSE;
        }
        if (p->Bounce)
            MmBuildMdlForNonPagedPool(mdl);
        else
            IoBuildPartialMdl(source, mdl, MmGetMdlVirtualAddress(mdl), p->DiskLength);
        /* A location of our own, as FastFat does, so the completion routine is handed the
         * volume device and the trace names the file system. */
        IoSetNextIrpStackLocation(a);
        IoGetCurrentIrpStackLocation(a)->DeviceObject = Xfer->Vcb->VolumeDevice;
        IoGetCurrentIrpStackLocation(a)->MajorFunction = Xfer->Write ? IRP_MJ_WRITE : IRP_MJ_READ;
        PIO_STACK_LOCATION sl = IoGetNextIrpStackLocation(a);
        sl->MajorFunction = Xfer->Write ? IRP_MJ_WRITE : IRP_MJ_READ;
        sl->Parameters.Read.Length = p->DiskLength; /* same layout as Parameters.Write */
        sl->Parameters.Read.ByteOffset.QuadPart = (LONGLONG)p->DiskOffset;
        a->Flags |= (Xfer->Write ? IRP_WRITE_OPERATION : IRP_READ_OPERATION) | IRP_NOCACHE;
        if (p->Bounce && Xfer->Write) {
            RtlZeroMemory(p->Bounce, p->DiskLength);
            RtlCopyMemory(p->Bounce + p->Skip, Xfer->Buffer + p->BufferOffset, p->Length);
        }
        IoSetCompletionRoutine(a, FatFsdpPieceDone, p, TRUE, TRUE, TRUE);
        Irps[i] = a;
    }
    return TRUE;
}

/* Sends [Offset, Offset+Length) of the file to or from the disk; see the two callers. */
static BOOLEAN FatFsdpTransferAsync(PFSD_VCB Vcb, PIRP Irp, PFSD_FCB Fcb, LONGLONG Offset, ULONG Length,
                                   BOOLEAN Write)
{
    FAT_RUN runs[FSD_MAX_PIECES];
    PIRP irps[FSD_MAX_PIECES];
    ULONG count, mapped, pieces;
    PFSD_TRANSFER xfer;

    if (!Length || !NT_SUCCESS(FatMapFileRange(Fcb->File, (ULONG64)Offset, Length, runs, FSD_MAX_PIECES, &count,
                                               &mapped)))
        return FALSE;
    xfer = ExAllocatePoolWithTag(NonPagedPool, sizeof(*xfer) + 2 * Vcb->SectorSize, FSD_TAG);
    if (!xfer)
        return FALSE;
    xfer->Vcb = Vcb;
    xfer->Master = Irp;
    xfer->Write = Write;
    pieces = FatFsdpCutPieces(xfer, runs, count, Vcb->SectorSize, (PUCHAR)(xfer + 1));
    if (!pieces || (!Irp->MdlAddress && !IoAllocateMdl(Irp->UserBuffer, Length, FALSE, FALSE, Irp))) {
        ExFreePoolWithTag(xfer, FSD_TAG);
        return FALSE;
    }
    /* Like FastFat's FatLockUserBuffer: the I/O manager unlocks and frees it at completion. */
    if (!(Irp->MdlAddress->MdlFlags & (MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL)))
        MmProbeAndLockPages(Irp->MdlAddress, KernelMode, Write ? IoReadAccess : IoWriteAccess);
    xfer->Buffer = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    if (!xfer->Buffer || !FatFsdpBuildPieces(xfer, pieces, irps)) {
        ExFreePoolWithTag(xfer, FSD_TAG);
        return FALSE;
    }
    if (Write)
        Vcb->WriteIrps += pieces, Vcb->AsyncWrites++;
    else
        Vcb->ReadIrps += pieces, Vcb->AsyncReads++;
    xfer->Pending = (LONG)pieces;
    Irp->AssociatedIrp.IrpCount = (LONG)pieces;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = mapped;
    if (!(Irp->Flags & IRP_PAGING_IO)) /* paging I/O leaves the file position alone */
        IoGetCurrentIrpStackLocation(Irp)->FileObject->CurrentByteOffset.QuadPart = Offset + mapped;
    IoMarkIrpPending(Irp);
    for (ULONG i = 0; i < pieces; i++)
        IoCallDriver(Vcb->TargetDevice, irps[i]); /* the last may complete Irp before returning */
    return TRUE;
}

static VOID FatFsdpLearnSectorSize(PFSD_VCB Vcb)
{
    if (!Vcb->SectorSize) {
        FAT_VOLUME_INFO info;
        FatQueryVolumeInformation(Vcb->Volume, &info);
        Vcb->SectorSize = info.BytesPerSector;
    }
}

/* IRQL == PASSIVE_LEVEL, volume lock held. Sends a file xfer to the disk asynchronously and
 * returns TRUE: the IRP is then pending, the lock belongs to the xfer until its last piece
 * completes, and neither may be touched again. FALSE (a fragmented file, no memory, a bad
 * range) leaves everything as it was, for the synchronous path. */
BOOLEAN FatFsdReadAsync(PFSD_VCB Vcb, PIRP Irp, PFSD_FCB Fcb, LONGLONG Offset, ULONG Length)
{
    FatFsdpLearnSectorSize(Vcb);
    return FatFsdpTransferAsync(Vcb, Irp, Fcb, Offset, Length, FALSE);
}

/* IRQL == PASSIVE_LEVEL, volume lock held. The same for a write that starts on a sector and
 * either ends on one or reaches end of file, so no sector needs reading first: the engine grows
 * the file and writes its directory entry (synchronous disk IRPs), then the data goes down as
 * associated IRPs. A paging write (the cache manager cleaning its pages, already clipped to the
 * file) changes no metadata, so it skips that step. FALSE: nothing was sent; the synchronous
 * path finishes the job. */
BOOLEAN FatFsdWriteAsync(PFSD_VCB Vcb, PIRP Irp, PFSD_FCB Fcb, LONGLONG Offset, ULONG Length, BOOLEAN Paging)
{
    FAT_FILE_INFO info;
    FatFsdpLearnSectorSize(Vcb);
    FatQueryFileInformation(Fcb->File, &info);
    if (!Length || Offset % Vcb->SectorSize ||
        (Length % Vcb->SectorSize && (ULONG64)Offset + Length < info.FileSize))
        return FALSE;
    if (!Paging && !NT_SUCCESS(FatPrepareWrite(Fcb->File, (ULONG64)Offset, Length)))
        return FALSE; /* the synchronous path meets the same error and reports it */
    return FatFsdpTransferAsync(Vcb, Irp, Fcb, Offset, Length, TRUE);
}
