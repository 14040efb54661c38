/* labs/verifier_hunt/grader/hunt_grader.c - the grader's tests for the Driver Verifier lab:
 * one workload per planted bug, each under Verifier, each named after the stop it expects
 * gone, each also checking that the filter still does its job on that path. */
#include "labgrade.h"
#include "../../../tests/fs/fsutil.h"
#include <lab_hunt.h>

static UCHAR GrhBuf[8192];
static IO_TRACE_RECORD GrhTrace[256];

static PDEVICE_OBJECT GrhControl(void)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(LAB_HUNT_DEVICE);
    PFILE_OBJECT fo;
    PDEVICE_OBJECT dev;
    if (!NT_SUCCESS(IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &fo, &dev)))
        return NULL;
    ObDereferenceObject(fo);
    return dev;
}

static NTSTATUS GrhStats(PLAB_HUNT_STATS S)
{
    ULONG_PTR info;
    RtlZeroMemory(S, sizeof(*S));
    NTSTATUS s = GradeIoctl(LAB_HUNT_DEVICE, IOCTL_LAB_HUNT_STATS, NULL, 0, S, sizeof(*S), &info);
    return NT_SUCCESS(s) && info != sizeof(*S) ? STATUS_INFO_LENGTH_MISMATCH : s;
}

#define GRH_STATS(s) LAB_CHECK(NT_SUCCESS(GrhStats(s)), "IOCTL_LAB_HUNT_STATS to \\Device\\LabHunt failed")
#define GRH_NUMBERS L"\\DOCS\\NESTED\\NUMBERS.TXT" /* 4096 lines of 9 bytes on the built-in disk */

KTEST(verifier_hunt, pageable_completion_routine_no_0xc9_0x227)
{
    LAB_HUNT_STATS a, b;
    HANDLE h;
    ULONG64 size = 0;
    GradeBegin();
    GRH_STATS(&a);
    KT_STATUS(FsOpen(GRH_NUMBERS, FILE_OPEN, FILE_NON_DIRECTORY_FILE, &h, NULL), STATUS_SUCCESS);
    NTSTATUS s = FsSize(h, &size);
    ZwClose(h);
    LAB_CHECK(NT_SUCCESS(s) && size == 36864, "querying NUMBERS.TXT's size through your filter gave 0x%08x, size %llu",
              (ULONG)s, size);
    GRH_STATS(&b);
    LAB_CHECK(b.Completions[IRP_MJ_QUERY_INFORMATION] > a.Completions[IRP_MJ_QUERY_INFORMATION],
              "your query-information completion routine no longer counts the query");
}

KTEST(verifier_hunt, missing_mark_pending_on_reads_no_0xc9_0x228)
{
    LAB_HUNT_STATS a, b;
    HANDLE h;
    ULONG done, total = 0;
    GradeBegin();
    GRH_STATS(&a);
    KT_STATUS(FsOpen(GRH_NUMBERS, FILE_OPEN, FILE_NON_DIRECTORY_FILE | FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL),
              STATUS_SUCCESS);
    for (ULONG off = 0; off < 36864; off += 4096) {
        NTSTATUS s = FsReadAt(h, off, GrhBuf, 4096, &done);
        if (!NT_SUCCESS(s))
            break;
        total += done;
    }
    ZwClose(h);
    GRH_STATS(&b);
    LAB_CHECK(total == 36864 && RtlCompareMemory(GrhBuf + 4096 - 9, "00004095\n", 9) == 9,
              "reading NUMBERS.TXT through your filter returned %u bytes, or the wrong ones", total);
    LAB_CHECK(b.Completions[IRP_MJ_READ] - a.Completions[IRP_MJ_READ] == 9 && b.BytesRead - a.BytesRead == 36864,
              "your read completion routine counted %llu reads and %llu bytes; 9 reads of 36864 bytes went through",
              b.Completions[IRP_MJ_READ] - a.Completions[IRP_MJ_READ], b.BytesRead - a.BytesRead);
}

KTEST(verifier_hunt, double_completion_on_flush_no_0x44)
{
    LAB_HUNT_STATS a, b;
    HANDLE h;
    GradeBegin();
    GRH_STATS(&a);
    KT_STATUS(FsOpen(L"\\HUNTFL.TXT", FILE_OPEN_IF, FILE_NON_DIRECTORY_FILE, &h, NULL), STATUS_SUCCESS);
    NTSTATUS s = FsFlush(h);
    ZwClose(h);
    LAB_CHECK(NT_SUCCESS(s), "a flush through your filter failed with 0x%08x", (ULONG)s);
    GRH_STATS(&b);
    LAB_CHECK(b.Completions[IRP_MJ_FLUSH_BUFFERS] > a.Completions[IRP_MJ_FLUSH_BUFFERS],
              "your filter no longer sees flushes complete");
}

KTEST(verifier_hunt, spin_lock_released_at_wrong_irql_no_0xc4_0x32)
{
    LAB_HUNT_STATS a, b;
    ULONG n = 0;
    BOOLEAN found = FALSE;
    GradeBegin();
    GRH_STATS(&a);
    NTSTATUS s = FsCountEntries(L"\\", &n, L"HELLO.TXT", &found);
    LAB_CHECK(NT_SUCCESS(s) && found, "listing the root directory through your filter gave 0x%08x (%u entries, "
              "HELLO.TXT %s)", (ULONG)s, n, found ? "found" : "missing");
    GRH_STATS(&b);
    LAB_CHECK(b.Requests[IRP_MJ_DIRECTORY_CONTROL] > a.Requests[IRP_MJ_DIRECTORY_CONTROL],
              "your filter no longer counts directory listings");
}

KTEST(verifier_hunt, fast_mutex_in_completion_routine_no_0xc4_0x33)
{
    LAB_HUNT_STATS a, b;
    HANDLE h;
    ULONG done = 0;
    GradeBegin();
    GRH_STATS(&a);
    ULONG seq = IoGetIrpTraceSequence();
    KT_STATUS(FsOpen(L"\\HUNTWR.BIN", FILE_OVERWRITE_IF, FILE_NON_DIRECTORY_FILE | FILE_NO_INTERMEDIATE_BUFFERING, &h,
                     NULL), STATUS_SUCCESS);
    FsPattern(GrhBuf, sizeof(GrhBuf), 7);
    NTSTATUS s = FsWriteAt(h, 0, GrhBuf, sizeof(GrhBuf), &done);
    ZwClose(h);
    LAB_CHECK(NT_SUCCESS(s) && done == sizeof(GrhBuf), "an 8 KiB write through your filter gave 0x%08x, %u bytes",
              (ULONG)s, done);
    GRH_STATS(&b);
    LAB_CHECK(b.Completions[IRP_MJ_WRITE] > a.Completions[IRP_MJ_WRITE] && b.BytesWritten - a.BytesWritten == 8192 &&
              b.WriteLogEntries > a.WriteLogEntries,
              "your write completion routine no longer counts the write and logs it");
    /* The grader's own check: the write's completion did run in the disk's DPC, where a wait
     * is not allowed (else this test could not tell). */
    ULONG n = IoQueryIrpTrace(NULL, seq, GrhTrace, ARRAYSIZE(GrhTrace));
    BOOLEAN atDispatch = FALSE;
    for (ULONG i = 0; i < n; i++)
        atDispatch |= GrhTrace[i].Kind == IO_TRACE_COMPLETION && GrhTrace[i].MajorFunction == IRP_MJ_WRITE &&
                      GrhTrace[i].Irql == DISPATCH_LEVEL && GrhTrace[i].DriverObject == GrhControl()->DriverObject;
    KT_ASSERT(atDispatch);
}

KTEST(verifier_hunt, more_processing_on_oplock_no_0xc9_0x1100)
{
    HANDLE h;
    IO_STATUS_BLOCK iosb;
    GradeBegin();
    ULONG seq = IoGetIrpTraceSequence();
    KT_STATUS(FsOpen(GRH_NUMBERS, FILE_OPEN, FILE_NON_DIRECTORY_FILE, &h, NULL), STATUS_SUCCESS);
    NTSTATUS s = ZwFsControlFile(h, NULL, NULL, NULL, &iosb, FSCTL_REQUEST_OPLOCK_LEVEL_1, NULL, 0, NULL, 0);
    ZwClose(h);
    ULONG n = IoQueryIrpTrace(NULL, seq, GrhTrace, ARRAYSIZE(GrhTrace));
    BOOLEAN passed = FALSE;
    for (ULONG i = 0; i < n; i++)
        passed |= GrhTrace[i].Kind == IO_TRACE_DISPATCH && GrhTrace[i].MajorFunction == IRP_MJ_FILE_SYSTEM_CONTROL &&
                  GrhTrace[i].DriverObject == GrhControl()->DriverObject;
    LAB_CHECK(passed, "the oplock request (status 0x%08x) never reached your filter's dispatch routine", (ULONG)s);
}

KTEST(verifier_hunt, pool_leaked_at_unload_no_0xc4_0x62)
{
    ULONG tag = LAB_HUNT_TAG;
    GradeBegin();
    PDEVICE_OBJECT control = GrhControl();
    KT_ASSERT(control);
    PDRIVER_OBJECT driver = control->DriverObject;
    HANDLE h;
    KT_STATUS(FsOpen(L"\\HELLO.TXT", FILE_OPEN, FILE_NON_DIRECTORY_FILE, &h, NULL), STATUS_SUCCESS); /* mounts */
    ZwClose(h);
    NTSTATUS s = FsDismount();
    LAB_CHECK(NT_SUCCESS(s), "dismounting the volume through your filter failed with 0x%08x", (ULONG)s);
    ObReferenceObject(driver);
    s = IoUnloadDriver(driver);
    LAB_CHECK(NT_SUCCESS(s), "IoUnloadDriver failed with 0x%08x: does DriverEntry set DriverUnload?", (ULONG)s);
    ULONG left = MmVerifyDriverUnload(NULL, &tag, 1); /* with verifier=all: 0xC4/0x62 on a leak */
    LAB_CHECK(!left, "%u allocations tagged LHnt were still outstanding after your DriverUnload", left);
    ObDereferenceObject(driver);
    LAB_CHECK(!GrhControl(), "\\Device\\LabHunt still exists after unload");
}

/* `make lab LAB=verifier_hunt`: the seven paths one after the other, narrated; with the
 * planted bugs the first one stops the machine, and its stop report is where the hunt starts. */
KTEST(verifier_hunt, workload)
{
    HANDLE h;
    IO_STATUS_BLOCK iosb;
    ULONG64 size = 0;
    ULONG done = 0, n = 0;
    LAB_HUNT_STATS st;
    GradeBegin();
    DbgPrint("lab verifier_hunt, under Driver Verifier (verifier=all):\n");
    DbgPrint("step 1: open NUMBERS.TXT -> 0x%08x\n", (ULONG)FsOpen(GRH_NUMBERS, FILE_OPEN, FILE_NON_DIRECTORY_FILE, &h, NULL));
    NTSTATUS s = FsSize(h, &size);
    DbgPrint("step 2: query its size -> 0x%08x, %llu bytes\n", (ULONG)s, size);
    ZwClose(h);
    FsOpen(GRH_NUMBERS, FILE_OPEN, FILE_NON_DIRECTORY_FILE | FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL);
    s = FsReadAt(h, 0, GrhBuf, 4096, &done);
    DbgPrint("step 3: a non-cached 4 KiB read -> 0x%08x, %u bytes\n", (ULONG)s, done);
    ZwClose(h);
    FsOpen(L"\\HUNTFL.TXT", FILE_OPEN_IF, FILE_NON_DIRECTORY_FILE, &h, NULL);
    DbgPrint("step 4: a flush -> 0x%08x\n", (ULONG)FsFlush(h));
    ZwClose(h);
    DbgPrint("step 5: list the root directory -> 0x%08x\n", (ULONG)FsCountEntries(L"\\", &n, NULL, NULL));
    FsOpen(L"\\HUNTWR.BIN", FILE_OVERWRITE_IF, FILE_NON_DIRECTORY_FILE | FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL);
    DbgPrint("step 6: a non-cached 8 KiB write -> 0x%08x\n", (ULONG)FsWriteAt(h, 0, GrhBuf, sizeof(GrhBuf), &done));
    ZwClose(h);
    FsOpen(GRH_NUMBERS, FILE_OPEN, FILE_NON_DIRECTORY_FILE, &h, NULL);
    DbgPrint("step 7: an oplock request -> 0x%08x\n",
             (ULONG)ZwFsControlFile(h, NULL, NULL, NULL, &iosb, FSCTL_REQUEST_OPLOCK_LEVEL_1, NULL, 0, NULL, 0));
    ZwClose(h);
    GrhStats(&st);
    DbgPrint("your filter's statistics: reads %llu (%llu bytes), writes %llu (%llu bytes), flushes %llu, queries %llu, "
             "listings %llu\n(step 8, unloading the driver, is graded by make grade)\n",
             st.Completions[IRP_MJ_READ], st.BytesRead, st.Completions[IRP_MJ_WRITE], st.BytesWritten,
             st.Completions[IRP_MJ_FLUSH_BUFFERS], st.Completions[IRP_MJ_QUERY_INFORMATION],
             st.Requests[IRP_MJ_DIRECTORY_CONTROL]);
}
