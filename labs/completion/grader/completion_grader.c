/* labs/completion/grader/completion_grader.c - the grader's tests for the completion-routine
 * lab: a real workload through the student's filter on the FAT volume, checked against the
 * bytes the caller saw and against the IRP trace of the student's completion routine. */
#include "labgrade.h"
#include "../../../tests/fs/fsutil.h"
#include <lab_completion.h>

static UCHAR GrcBuf[65536], GrcBack[65536];
static IO_TRACE_RECORD GrcTrace[1024];

typedef struct _LABC_EXPECT {
    ULONG64 Read, Written, Reads, Writes;
} GRC_EXPECT;

static NTSTATUS GrcCounts(PLAB_COUNTS Counts)
{
    ULONG_PTR info;
    RtlZeroMemory(Counts, sizeof(*Counts));
    NTSTATUS s = GradeIoctl(LAB_COUNTER_DEVICE, IOCTL_LAB_GET_COUNTS, NULL, 0, Counts, sizeof(*Counts), &info);
    return NT_SUCCESS(s) && info != sizeof(*Counts) ? STATUS_INFO_LENGTH_MISMATCH : s;
}

static PDRIVER_OBJECT GrcDriver(void)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(LAB_COUNTER_DEVICE);
    PFILE_OBJECT fo;
    PDEVICE_OBJECT dev;
    if (!NT_SUCCESS(IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &fo, &dev)))
        return NULL;
    PDRIVER_OBJECT d = dev->DriverObject;
    ObDereferenceObject(fo);
    return d;
}

static VOID GrcWrite(HANDLE h, LONGLONG Offset, ULONG Length, GRC_EXPECT *e)
{
    ULONG done = 0;
    FsPattern(GrcBuf, Length, (ULONG)Offset);
    if (NT_SUCCESS(FsWriteAt(h, Offset, GrcBuf, Length, &done)))
        e->Written += done;
    e->Writes++;
}

static VOID GrcRead(HANDLE h, LONGLONG Offset, ULONG Length, GRC_EXPECT *e)
{
    ULONG done = 0;
    if (NT_SUCCESS(FsReadAt(h, Offset, GrcBack, Length, &done)))
        e->Read += done;
    e->Reads++;
}

/* Writes 69732 bytes in three requests (unaligned, aligned 64 KiB, a tail), then reads them
 * back through a cached handle and a non-cached one, with a short read across the end of
 * the file and a read at the end (STATUS_END_OF_FILE). */
static NTSTATUS GrcWorkload(GRC_EXPECT *e)
{
    HANDLE h, nc;
    RtlZeroMemory(e, sizeof(*e));
    NTSTATUS s = FsOpen(L"\\LABC.BIN", FILE_OVERWRITE_IF, FILE_NON_DIRECTORY_FILE, &h, NULL);
    if (!NT_SUCCESS(s))
        return s;
    GrcWrite(h, 0, 3000, e);
    GrcWrite(h, 4096, 65536, e);
    GrcWrite(h, 69632, 100, e);
    GrcRead(h, 0, 3000, e);
    GrcRead(h, 3000, 1096, e);
    s = FsOpen(L"\\LABC.BIN", FILE_OPEN, FILE_NON_DIRECTORY_FILE | FILE_NO_INTERMEDIATE_BUFFERING, &nc, NULL);
    if (NT_SUCCESS(s)) {
        GrcRead(nc, 4096, 65536, e);
        GrcRead(nc, 68096, 4096, e); /* 1636 bytes before the end of the file */
        GrcRead(nc, 69632, 512, e);  /* 100 bytes */
        GrcRead(nc, 69732, 512, e);  /* at the end: STATUS_END_OF_FILE, nothing moved */
        ZwClose(nc);
    }
    ZwClose(h);
    return s;
}

/* The byte counts: exactly what the callers were told, request by request. */
static VOID GrcCheckCounts(void)
{
    LAB_COUNTS before, after;
    GRC_EXPECT e;
    GradeBegin();
    LAB_CHECK(NT_SUCCESS(GrcCounts(&before)), "IOCTL_LAB_GET_COUNTS to \\Device\\LabCounter failed: is the given "
                                               "control-device code still in place?");
    NTSTATUS s = GrcWorkload(&e);
    LAB_CHECK(NT_SUCCESS(s), "the workload could not open its file through your filter (status 0x%08x)", (ULONG)s);
    LAB_CHECK(NT_SUCCESS(GrcCounts(&after)), "IOCTL_LAB_GET_COUNTS failed after the workload");
    ULONG64 reads = after.ReadsCompleted - before.ReadsCompleted, writes = after.WritesCompleted - before.WritesCompleted;
    ULONG64 rd = after.BytesRead - before.BytesRead, wr = after.BytesWritten - before.BytesWritten;
    LAB_CHECK(reads || writes || rd || wr, "your filter counted nothing: %llu reads and %llu writes went through it "
              "and no completion routine of yours counted them (TODO 1 and 2)", e.Reads, e.Writes);
    LAB_CHECK(reads == e.Reads && writes == e.Writes, "your completion routine counted %llu read and %llu write "
              "completions, but %llu reads and %llu writes completed", reads, writes, e.Reads, e.Writes);
    LAB_CHECK(wr == e.Written, "you counted %llu bytes written, the callers were told %llu", wr, e.Written);
    LAB_CHECK(rd == e.Read, "you counted %llu bytes read, the callers were told %llu (a read across the end of the "
              "file moves fewer bytes than it asked for, and a read at the end moves none: count "
              "IoStatus.Information of successful requests, in the completion routine)", rd, e.Read);
}

/* The student's completion-routine calls in the trace since Sequence: how many, how many
 * with PendingReturned, and the first that returned something other than the two values. */
static VOID GrcScanTrace(ULONG Sequence, PULONG Calls, PULONG Pended, PIO_TRACE_RECORD *Bad)
{
    PDRIVER_OBJECT me = GrcDriver();
    ULONG n = IoQueryIrpTrace(NULL, Sequence, GrcTrace, ARRAYSIZE(GrcTrace));
    *Calls = *Pended = 0;
    *Bad = NULL;
    for (ULONG i = 0; i < n; i++) {
        PIO_TRACE_RECORD r = &GrcTrace[i];
        if (r->Kind != IO_TRACE_COMPLETION || !me || r->DriverObject != me ||
            (r->MajorFunction != IRP_MJ_READ && r->MajorFunction != IRP_MJ_WRITE))
            continue;
        (*Calls)++;
        *Pended += r->PendingReturned;
        if (!*Bad && r->Status != STATUS_SUCCESS && r->Status != STATUS_MORE_PROCESSING_REQUIRED)
            *Bad = r;
    }
}

/* Under Driver Verifier (boot option verifier=all): a missing IoMarkIrpPending stops the
 * machine with 0xC9/0x228; the test also wants the rule exercised (pended completions). */
static VOID GrcCheckPending(void)
{
    GRC_EXPECT e;
    ULONG calls, pended;
    PIO_TRACE_RECORD bad;
    GradeBegin();
    ULONG seq = IoGetIrpTraceSequence();
    NTSTATUS s = GrcWorkload(&e);
    LAB_CHECK(NT_SUCCESS(s), "the workload could not open its file through your filter (status 0x%08x)", (ULONG)s);
    GrcScanTrace(seq, &calls, &pended, &bad);
    LAB_CHECK(calls, "no completion routine of yours ran on a read or a write, so the PendingReturned rule was "
              "never exercised (TODO 1)");
    LAB_CHECK(pended, "none of your %u completion-routine calls saw Irp->PendingReturned set", calls);
}

KTEST(completion, byte_counts_exact_on_async_disk) { GrcCheckCounts(); }
KTEST(completion, byte_counts_exact_on_sync_disk) { GrcCheckCounts(); }
KTEST(completion, pending_flag_propagated_on_async_disk) { GrcCheckPending(); }
KTEST(completion, pending_flag_propagated_on_sync_disk) { GrcCheckPending(); }

/* With Verifier's forced pending (fault=pending:driver=Lab...): every IoCallDriver your
 * dispatch routine makes returns STATUS_PENDING and the completion reaches your routine later,
 * from a DPC, with PendingReturned set; the counts must still be exact. */
KTEST(completion, counts_and_pending_rule_under_forced_pending)
{
    GrcCheckCounts();
    if (KtFailed)
        return;
    GrcCheckPending();
}

KTEST(completion, completion_returns_only_success_or_more_processing)
{
    GRC_EXPECT e;
    ULONG calls, pended;
    PIO_TRACE_RECORD bad;
    GradeBegin();
    ULONG seq = IoGetIrpTraceSequence();
    NTSTATUS s = GrcWorkload(&e);
    LAB_CHECK(NT_SUCCESS(s), "the workload could not open its file through your filter (status 0x%08x)", (ULONG)s);
    GrcScanTrace(seq, &calls, &pended, &bad);
    LAB_CHECK(calls >= e.Reads + e.Writes, "your completion routine ran %u times for %llu reads and writes (TODO 1)",
              calls, e.Reads + e.Writes);
    LAB_CHECK(!bad, "your completion routine %s returned 0x%08x for an IRP_MJ_%s (IRP %p): a completion routine "
              "returns STATUS_SUCCESS or STATUS_MORE_PROCESSING_REQUIRED, never the IRP's status",
              bad ? GradeSymbol(bad->Routine) : "?", bad ? (ULONG)bad->Status : 0,
              bad && bad->MajorFunction == IRP_MJ_READ ? "READ" : "WRITE", bad ? (PVOID)bad->Irp : NULL);
}

/* `make lab LAB=completion`: the workload, narrated, with the counts and one traced read. */
KTEST(completion, workload)
{
    LAB_COUNTS c;
    GRC_EXPECT e;
    GradeBegin();
    DbgPrint("lab completion: writing 3 pieces (3000, 65536, 100 bytes) to \\LABC.BIN through your filter,\n"
             "  then reading them back: 2 cached reads, 4 non-cached ones (one short, one at the end of file)\n");
    ULONG seq = IoGetIrpTraceSequence();
    NTSTATUS s = GrcWorkload(&e);
    DbgPrint("workload status 0x%08x; the callers were told: %llu bytes read, %llu written\n", (ULONG)s, e.Read,
             e.Written);
    s = GrcCounts(&c);
    DbgPrint("your filter counted (status 0x%08x): %llu bytes read in %llu completions, %llu written in %llu\n",
             (ULONG)s, c.BytesRead, c.ReadsCompleted, c.BytesWritten, c.WritesCompleted);
    DbgPrint("the last records of the IRP trace (%u records since the workload began):\n",
             IoGetIrpTraceSequence() - seq);
    IoDumpIrpTrace(24);
}
