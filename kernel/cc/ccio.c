/* kernel/cc/ccio.c - the cache manager's paging I/O: non-cached IRP_PAGING_IO reads that fill
 * views and writes that clean them, sent to the top of the file's stack as Windows' Mm does. */
#include "ccp.h"

typedef struct _CCP_WAIT {
    KEVENT Event;
    IO_STATUS_BLOCK Iosb;
} CCP_WAIT, *PCCP_WAIT;

/* IO_COMPLETION_ROUTINE, IRQL <= DISPATCH_LEVEL (the disk's DPC, usually). The IRP is ours:
 * STATUS_MORE_PROCESSING_REQUIRED, and the waiting thread frees it. */
static NTSTATUS CcpPagingDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PCCP_WAIT wait = Context;
    UNREFERENCED_PARAMETER(DeviceObject);
    wait->Iosb = Irp->IoStatus;
    KeSetEvent(&wait->Event, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* IRQL <= APC_LEVEL. One synchronous paging request for [Offset, Offset+Length) of the file
 * into or out of Buffer (nonpaged view memory). *Done is what the file system moved. */
static NTSTATUS CcpPagingIo(PSHARED_CACHE_MAP Map, BOOLEAN Write, ULONG64 Offset, PVOID Buffer, ULONG Length,
                            PULONG Done)
{
    PFILE_OBJECT fo = Map->FileObject;
    PDEVICE_OBJECT top = IoGetRelatedDeviceObject(fo);
    PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
    PMDL mdl = irp ? IoAllocateMdl(Buffer, Length, FALSE, FALSE, irp) : NULL;
    CCP_WAIT wait;
    *Done = 0;
    if (!mdl) {
        if (irp)
            IoFreeIrp(irp);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    MmBuildMdlForNonPagedPool(mdl);
    KeInitializeEvent(&wait.Event, NotificationEvent, FALSE);
    irp->Flags |= IRP_PAGING_IO | IRP_NOCACHE | IRP_SYNCHRONOUS_PAGING_IO |
                  (Write ? IRP_WRITE_OPERATION : IRP_READ_OPERATION);
    irp->RequestorMode = KernelMode;
    irp->Tail.Overlay.OriginalFileObject = fo;
    irp->Tail.Overlay.Thread = KeGetCurrentThread();
    PIO_STACK_LOCATION sl = IoGetNextIrpStackLocation(irp);
    sl->MajorFunction = Write ? IRP_MJ_WRITE : IRP_MJ_READ;
    sl->FileObject = fo;
    sl->Parameters.Read.Length = Length; /* Parameters.Write has the same layout */
    sl->Parameters.Read.ByteOffset.QuadPart = (LONGLONG)Offset;
    IoSetCompletionRoutine(irp, CcpPagingDone, &wait, TRUE, TRUE, TRUE);
    IoCallDriver(top, irp);
    KeWaitForSingleObject(&wait.Event, Executive, KernelMode, FALSE, NULL);
    IoFreeMdl(mdl);
    irp->MdlAddress = NULL;
    IoFreeIrp(irp);
    if (NT_SUCCESS(wait.Iosb.Status))
        *Done = (ULONG)wait.Iosb.Information;
    if (Write)
        CcpStats.PagingWrites++, CcpStats.PagingWriteBytes += *Done;
    else
        CcpStats.PagingReads++, CcpStats.PagingReadBytes += *Done;
    return wait.Iosb.Status;
}

/* Lock held. Makes the Wanted pages of View valid: each run of invalid pages is one paging
 * read, clipped at valid data length; what lies past it reads as zeros, as the spec of
 * ValidDataLength says, and is never read from the disk. */
NTSTATUS CcpReadPages(PSHARED_CACHE_MAP Map, PCC_VIEW View, ULONG64 Wanted)
{
    ULONG64 base = CcpViewOffset(View);
    ULONG64 vdl = (ULONG64)Map->Sizes.ValidDataLength.QuadPart;
    if ((ULONG64)Map->Sizes.FileSize.QuadPart < vdl)
        vdl = (ULONG64)Map->Sizes.FileSize.QuadPart;
    Wanted &= ~View->Valid;
    for (ULONG p = 0; p < CC_PAGES_PER_VIEW;) {
        if (!(Wanted & CC_PAGE_BIT(p))) {
            p++;
            continue;
        }
        ULONG q = p;
        while (q < CC_PAGES_PER_VIEW && (Wanted & CC_PAGE_BIT(q)))
            q++;
        ULONG64 start = base + (ULONG64)p * PAGE_SIZE;
        ULONG length = (q - p) * PAGE_SIZE, done = 0;
        PUCHAR at = View->Data + p * PAGE_SIZE;
        if (start < vdl) {
            ULONG want = vdl - start < length ? (ULONG)(vdl - start) : length;
            want = (want + 511) & ~511u; /* paging I/O moves whole sectors */
            NTSTATUS st = CcpPagingIo(Map, FALSE, start, at, want, &done);
            if (!NT_SUCCESS(st))
                return st;
            if (start + done > vdl)
                done = (ULONG)(vdl - start);
        }
        RtlZeroMemory(at + done, length - done);
        for (ULONG i = p; i < q; i++)
            View->Valid |= CC_PAGE_BIT(i);
        p = q;
    }
    return STATUS_SUCCESS;
}

/* Lock held. Writes each run of dirty pages with one paging write; the file system clips at
 * end of file. Pages stay dirty when their write fails. */
NTSTATUS CcpWriteView(PSHARED_CACHE_MAP Map, PCC_VIEW View)
{
    ULONG64 base = CcpViewOffset(View), size = (ULONG64)Map->Sizes.FileSize.QuadPart;
    NTSTATUS result = STATUS_SUCCESS;
    BOOLEAN wasDirty = View->Dirty != 0;
    for (ULONG p = 0; p < CC_PAGES_PER_VIEW;) {
        if (!(View->Dirty & CC_PAGE_BIT(p))) {
            p++;
            continue;
        }
        ULONG q = p;
        while (q < CC_PAGES_PER_VIEW && (View->Dirty & CC_PAGE_BIT(q)))
            q++;
        ULONG64 start = base + (ULONG64)p * PAGE_SIZE;
        ULONG length = (q - p) * PAGE_SIZE, done;
        NTSTATUS st = STATUS_SUCCESS;
        if (start < size) {
            if (size - start < length)
                length = (ULONG)(((size - start) + 511) & ~511ull);
            st = CcpPagingIo(Map, TRUE, start, View->Data + p * PAGE_SIZE, length, &done);
        }
        if (NT_SUCCESS(st)) {
            for (ULONG i = p; i < q; i++)
                View->Dirty &= ~CC_PAGE_BIT(i);
        } else {
            result = st;
        }
        p = q;
    }
    if (wasDirty && !View->Dirty) {
        Map->DirtyViews--;
        CcpStats.DirtyViews--;
    }
    return result;
}

/* Lock held. Every dirty view that overlaps [Offset, Offset+Length). */
NTSTATUS CcpFlushMap(PSHARED_CACHE_MAP Map, ULONG64 Offset, ULONG64 Length)
{
    NTSTATUS result = STATUS_SUCCESS;
    ULONG first = (ULONG)(Offset / CC_VIEW_SIZE);
    ULONG64 last = Length ? (Offset + Length - 1) / CC_VIEW_SIZE : first;
    for (ULONG i = first; i < Map->Slots && i <= last && Map->DirtyViews; i++) {
        PCC_VIEW v = Map->Views[i];
        if (v && v->Dirty) {
            NTSTATUS st = CcpWriteView(Map, v);
            CcpStats.FlushViews++;
            if (!NT_SUCCESS(st))
                result = st;
        }
    }
    return result;
}
