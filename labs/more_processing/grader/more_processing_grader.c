/* labs/more_processing/grader/morep_grader.c - the grader's tests for the
 * STATUS_MORE_PROCESSING_REQUIRED lab: real creates, flushes, own IRPs, oplock requests and
 * an unmount through the student's filter, judged from the IRP trace and the I/O manager's
 * IRP and pool accounting. */
#include "labgrade.h"
#include "../../../tests/fs/fsutil.h"
#include <lab_more_processing.h>

static IO_TRACE_RECORD GrmTrace[1024];
static ULONG GrmCount;
static LAB_MP_SECTOR GrmSector;

static PDRIVER_OBJECT GrmDriver(void)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(LAB_MP_DEVICE);
    PFILE_OBJECT fo;
    PDEVICE_OBJECT dev;
    if (!NT_SUCCESS(IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &fo, &dev)))
        return NULL;
    ObDereferenceObject(fo);
    return dev->DriverObject;
}

static VOID GrmLoadTrace(ULONG Sequence) { GrmCount = IoQueryIrpTrace(NULL, Sequence, GrmTrace, ARRAYSIZE(GrmTrace)); }

/* The first record from index From on of Kind for major function Major by driver Driver
 * (any IRP if Irp is NULL), or NULL. */
static PIO_TRACE_RECORD GrmFind(ULONG From, UCHAR Kind, UCHAR Major, PDRIVER_OBJECT Driver, PIRP Irp, PULONG At)
{
    for (ULONG i = From; i < GrmCount; i++) {
        PIO_TRACE_RECORD r = &GrmTrace[i];
        if (r->Kind == Kind && r->MajorFunction == Major && (!Driver || r->DriverObject == Driver) &&
            (!Irp || r->Irp == Irp)) {
            if (At)
                *At = i;
            return r;
        }
    }
    return NULL;
}

static NTSTATUS GrmReadBootSector(void)
{
    ULONG_PTR info;
    RtlZeroMemory(&GrmSector, sizeof(GrmSector));
    NTSTATUS s = GradeIoctl(LAB_MP_DEVICE, IOCTL_LAB_MP_READ_BOOT_SECTOR, NULL, 0, &GrmSector, sizeof(GrmSector), &info);
    return NT_SUCCESS(s) && info != sizeof(GrmSector) ? STATUS_INFO_LENGTH_MISMATCH : s;
}

KTEST(more_processing, create_forwarded_waited_for_and_finished_at_passive)
{
    HANDLE h;
    ULONG at;
    PDRIVER_OBJECT me = GrmDriver();
    GradeBegin();
    KT_ASSERT(me);
    ULONG seq = IoGetIrpTraceSequence();
    NTSTATUS s = FsOpen(L"\\HELLO.TXT", FILE_OPEN, FILE_NON_DIRECTORY_FILE, &h, NULL);
    LAB_CHECK(NT_SUCCESS(s), "opening HELLO.TXT through your filter failed with 0x%08x", (ULONG)s);
    ZwClose(h);
    GrmLoadTrace(seq);
    PIO_TRACE_RECORD c = GrmFind(0, IO_TRACE_COMPLETION, IRP_MJ_CREATE, me, NULL, &at);
    LAB_CHECK(c, "no completion routine of yours ran on the create: forward it with one (TODO 1)");
    LAB_CHECK(c->Status == STATUS_MORE_PROCESSING_REQUIRED, "your create completion routine %s returned 0x%08x: to "
              "finish the IRP in the dispatch routine after the wait it must return "
              "STATUS_MORE_PROCESSING_REQUIRED", GradeSymbol(c->Routine), (ULONG)c->Status);
    PIO_TRACE_RECORD f = GrmFind(at, IO_TRACE_COMPLETE_REQUEST, IRP_MJ_CREATE, me, c->Irp, NULL);
    LAB_CHECK(f, "after your completion routine held the create, your driver never completed it");
    LAB_CHECK(f->Irql == PASSIVE_LEVEL, "your driver completed the create at IRQL %u; after the wait it runs at "
              "PASSIVE_LEVEL", f->Irql);
}

KTEST(more_processing, flush_posted_to_a_worker_and_finished_at_passive)
{
    HANDLE h;
    ULONG at;
    PDRIVER_OBJECT me = GrmDriver();
    GradeBegin();
    KT_ASSERT(me);
    KT_STATUS(FsOpen(L"\\MOREP.TXT", FILE_OVERWRITE_IF, FILE_NON_DIRECTORY_FILE, &h, NULL), STATUS_SUCCESS);
    ULONG seq = IoGetIrpTraceSequence();
    NTSTATUS s = FsFlush(h);
    ZwClose(h);
    LAB_CHECK(NT_SUCCESS(s), "a flush through your filter failed with 0x%08x", (ULONG)s);
    GrmLoadTrace(seq);
    PIO_TRACE_RECORD c = GrmFind(0, IO_TRACE_COMPLETION, IRP_MJ_FLUSH_BUFFERS, me, NULL, &at);
    LAB_CHECK(c, "no completion routine of yours ran on the flush (TODO 2)");
    LAB_CHECK(c->Status == STATUS_MORE_PROCESSING_REQUIRED, "your flush completion routine %s returned 0x%08x; a "
              "routine that posts the IRP to a worker returns STATUS_MORE_PROCESSING_REQUIRED",
              GradeSymbol(c->Routine), (ULONG)c->Status);
    PIO_TRACE_RECORD f = GrmFind(at, IO_TRACE_COMPLETE_REQUEST, IRP_MJ_FLUSH_BUFFERS, me, c->Irp, NULL);
    LAB_CHECK(f, "your driver never completed the flush it held");
    LAB_CHECK(f->Irql == PASSIVE_LEVEL, "the flush was completed at IRQL %u, not in a worker at PASSIVE_LEVEL",
              f->Irql);
    PIO_TRACE_RECORD d = GrmFind(0, IO_TRACE_DISPATCH, IRP_MJ_FLUSH_BUFFERS, me, c->Irp, NULL);
    LAB_CHECK(d && d->Status == STATUS_PENDING && d->PendingReturned, "your flush dispatch routine returned 0x%08x "
              "(marked pending: %u): the worker finishes the IRP later, so it must be marked pending (in the "
              "dispatch routine, and in the completion routine before it is queued) and the dispatch routine "
              "returns STATUS_PENDING", d ? (ULONG)d->Status : 0, d ? d->PendingReturned : 0);
}

KTEST(more_processing, own_irp_built_sent_and_freed_in_its_completion_routine)
{
    IO_IRP_STATISTICS a, b;
    POOL_TAG_USAGE pa, pb;
    GradeBegin();
    IoQueryIrpStatistics(&a);
    ExQueryPoolTagUsage(LAB_MP_TAG, ~0u, &pa);
    ULONG seq = IoGetIrpTraceSequence();
    for (int i = 0; i < 3; i++) {
        NTSTATUS s = GrmReadBootSector();
        LAB_CHECK(NT_SUCCESS(s), "IOCTL_LAB_MP_READ_BOOT_SECTOR failed with 0x%08x (TODO 3)", (ULONG)s);
        LAB_CHECK(GrmSector.Data[510] == 0x55 && GrmSector.Data[511] == 0xAA,
                  "the sector your IRP read does not end in 55 AA: it is not the boot sector");
        GrmLoadTrace(seq);
        PIO_TRACE_RECORD c = GrmFind(0, IO_TRACE_COMPLETION, IRP_MJ_READ, NULL, (PIRP)(ULONG_PTR)GrmSector.OwnIrp, NULL);
        LAB_CHECK(c, "the IRP you reported (%p) had no completion routine called on it", (PVOID)GrmSector.OwnIrp);
        LAB_CHECK(c->Status == STATUS_MORE_PROCESSING_REQUIRED, "the completion routine %s of your own IRP returned "
                  "0x%08x: after IoFreeIrp the I/O manager must not touch the IRP, so it returns "
                  "STATUS_MORE_PROCESSING_REQUIRED", GradeSymbol(c->Routine), (ULONG)c->Status);
        LAB_CHECK(c->Irql == DISPATCH_LEVEL && GrmSector.CompletionIrql == DISPATCH_LEVEL,
                  "your own IRP completed at IRQL %u (you reported %u); the asynchronous disk completes it in its DPC "
                  "at DISPATCH_LEVEL", c->Irql, GrmSector.CompletionIrql);
        seq = IoGetIrpTraceSequence();
    }
    IoQueryIrpStatistics(&b);
    ExQueryPoolTagUsage(LAB_MP_TAG, ~0u, &pb);
    LAB_CHECK(b.Outstanding == a.Outstanding, "%lld IRPs more are allocated than before the three reads: your "
              "completion routine must IoFreeIrp the IRP it built (and its MDL)",
              (LONGLONG)(b.Outstanding - a.Outstanding));
    LAB_CHECK(pb.Outstanding == pa.Outstanding, "%lld allocations tagged LMrL are left after the three reads",
              (LONGLONG)(pb.Outstanding - pa.Outstanding));
}

KTEST(more_processing, no_leaks_after_unmount)
{
    IO_IRP_STATISTICS a, b;
    POOL_TAG_USAGE wa, wb, pb;
    HANDLE h;
    ULONG done;
    static UCHAR data[4096];
    GradeBegin();
    IoQueryIrpStatistics(&a);
    ExQueryPoolTagUsage('iwOI', ~0u, &wa);
    KT_STATUS(FsOpen(L"\\MOREP.BIN", FILE_OVERWRITE_IF, FILE_NON_DIRECTORY_FILE, &h, NULL), STATUS_SUCCESS);
    FsPattern(data, sizeof(data), 3);
    KT_STATUS(FsWriteAt(h, 0, data, sizeof(data), &done), STATUS_SUCCESS);
    KT_STATUS(FsFlush(h), STATUS_SUCCESS);
    ZwClose(h);
    LAB_CHECK(NT_SUCCESS(GrmReadBootSector()), "IOCTL_LAB_MP_READ_BOOT_SECTOR failed (TODO 3)");
    NTSTATUS s = FsDismount();
    LAB_CHECK(NT_SUCCESS(s), "dismounting the volume through your filter failed with 0x%08x", (ULONG)s);
    IoQueryIrpStatistics(&b);
    ExQueryPoolTagUsage('iwOI', ~0u, &wb);
    ExQueryPoolTagUsage(LAB_MP_TAG, ~0u, &pb);
    LAB_CHECK(b.Outstanding == a.Outstanding, "after the unmount %lld IRPs are still allocated that the workload "
              "made: an IRP built by your driver was not freed", (LONGLONG)(b.Outstanding - a.Outstanding));
    LAB_CHECK(wb.Outstanding == wa.Outstanding, "%lld work items were never freed (IoFreeWorkItem in the worker)",
              (LONGLONG)(wb.Outstanding - wa.Outstanding));
    LAB_CHECK(pb.Outstanding == 0, "%llu allocations tagged LMrL are left after the unmount", pb.Outstanding);
    LAB_CHECK(b.TopLevelSent[IRP_MJ_CLOSE] - a.TopLevelSent[IRP_MJ_CLOSE] ==
              b.TopLevelCompleted[IRP_MJ_CLOSE] - a.TopLevelCompleted[IRP_MJ_CLOSE],
              "not every close the I/O manager sent was completed");
}

KTEST(more_processing, oplock_request_never_pended_or_held)
{
    HANDLE h;
    IO_STATUS_BLOCK iosb;
    PDRIVER_OBJECT me = GrmDriver();
    GradeBegin();
    KT_ASSERT(me);
    KT_STATUS(FsOpen(L"\\HELLO.TXT", FILE_OPEN, FILE_NON_DIRECTORY_FILE, &h, NULL), STATUS_SUCCESS);
    ULONG seq = IoGetIrpTraceSequence();
    NTSTATUS s = ZwFsControlFile(h, NULL, NULL, NULL, &iosb, FSCTL_REQUEST_OPLOCK_LEVEL_1, NULL, 0, NULL, 0);
    ZwClose(h);
    GrmLoadTrace(seq);
    LAB_CHECK(GrmFind(0, IO_TRACE_DISPATCH, IRP_MJ_FILE_SYSTEM_CONTROL, me, NULL, NULL),
              "the oplock request (status 0x%08x) never reached your filter", (ULONG)s);
}

/* `make lab LAB=more_processing`: one of each case, with the trace. */
KTEST(more_processing, workload)
{
    HANDLE h;
    GradeBegin();
    ULONG seq = IoGetIrpTraceSequence();
    DbgPrint("lab more_processing: case 1, a create: open HELLO.TXT -> 0x%08x\n",
             (ULONG)FsOpen(L"\\HELLO.TXT", FILE_OPEN, FILE_NON_DIRECTORY_FILE, &h, NULL));
    DbgPrint("case 2, a flush posted to a worker -> 0x%08x\n", (ULONG)FsFlush(h));
    ZwClose(h);
    NTSTATUS s = GrmReadBootSector();
    DbgPrint("case 3, IOCTL_LAB_MP_READ_BOOT_SECTOR with an IRP of your own -> 0x%08x (IRP %p, completion at IRQL %u, "
             "signature %02x %02x)\n", (ULONG)s, (PVOID)GrmSector.OwnIrp, GrmSector.CompletionIrql,
             GrmSector.Data[510], GrmSector.Data[511]);
    DbgPrint("the IRP trace of the workload (%u records):\n", IoGetIrpTraceSequence() - seq);
    IoDumpIrpTrace(IoGetIrpTraceSequence() - seq > 60 ? 60 : IoGetIrpTraceSequence() - seq);
    DbgPrint("unmount -> 0x%08x\n", (ULONG)FsDismount());
}
