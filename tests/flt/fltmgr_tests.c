/* tests/flt/fltmgr_tests.c - the Filter Manager with WDK-style minifilters loaded on the FAT
 * volume: altitude order, pended and safe post work, contexts, draining, unload with no leaks. */
#include "../fs/fsutil.h"
#include "../ke/kthread_util.h"
#include "../../drivers/fltmgr/fltmgrp.h"
#include "../../drivers/filter/filter.h"
#include "fltlog.h"
#include "nullfilter.h"
#include "passfilter.h"
#include "pendfilter.h"
#include "safefilter.h"
#include "badfilter.h"

FLT_TEST_LOG FltTestLog;

static const ULONG FtTags[] = { FLTP_TAG, FLTP_CTRL_TAG, FLTP_CONTEXT_TAG, FLTP_NAME_TAG, 'fSfT', 'dBfT' };
typedef struct { ULONG64 Outstanding[ARRAYSIZE(FtTags)]; } FT_POOL;

static VOID FtPool(FT_POOL *P)
{
    for (ULONG i = 0; i < ARRAYSIZE(FtTags); i++) {
        POOL_TAG_USAGE u;
        ExQueryPoolTagUsage(FtTags[i], ~0u, &u);
        P->Outstanding[i] = u.Outstanding;
    }
}

static NTSTATUS FtUnload(PCWSTR Name);
static VOID FtOpenOnce(void);

/* The volume must be mounted (and so framed) before a filter starts. Filters a failed test
 * left loaded go first, so one failure does not cascade. */
static VOID FtMount(void)
{
    static const PCWSTR all[] = { L"NullFilter", L"PassFilter", L"PendFilter", L"SafeFilter" };
    for (ULONG i = 0; i < ARRAYSIZE(all); i++)
        FtUnload(all[i]);
    FtOpenOnce();
}

static VOID FtOpenOnce(void)
{
    HANDLE h;
    if (NT_SUCCESS(FsOpen(L"\\FLTMNT.TXT", FILE_OPEN_IF, 0, &h, NULL)))
        ZwClose(h);
}

static NTSTATUS FtLoad(PCWSTR Name, PDRIVER_INITIALIZE Entry)
{
    UNICODE_STRING n;
    RtlInitUnicodeString(&n, Name);
    return IoCreateDriver(&n, Entry);
}

static NTSTATUS FtUnload(PCWSTR Name)
{
    UNICODE_STRING n;
    RtlInitUnicodeString(&n, Name);
    return FltUnloadFilter(&n);
}

static BOOLEAN FtSameW(PCWSTR A, PCWSTR B)
{
    while (*A && *A == *B)
        A++, B++;
    return *A == *B;
}

static VOID FtResetLog(void)
{
    KeInitializeSpinLock(&FltTestLog.Lock);
    FltTestLog.Count = 0;
}

/* The callbacks of one major function in log order, as "P0W0W1P1" (who, phase). */
static VOID FtSequence(UCHAR Major, PCHAR Out, ULONG Size)
{
    ULONG n = 0;
    for (ULONG i = 0; i < FltTestLog.Count && n + 3 < Size; i++) {
        FLT_TEST_RECORD *r = &FltTestLog.Records[i];
        if (r->Major == Major && r->Phase <= 1) {
            Out[n++] = r->Who;
            Out[n++] = (CHAR)('0' + r->Phase);
        }
    }
    Out[n] = 0;
}

/* Writes Length bytes of pattern Seed, non-cached so the disk's DPC completes them. */
static NTSTATUS FtWriteNew(PCWSTR Path, ULONG Length, ULONG Seed, BOOLEAN NonCached)
{
    static UCHAR buf[16384];
    HANDLE h;
    ULONG done = 0;
    FsPattern(buf, Length, Seed);
    NTSTATUS s = FsOpen(Path, FILE_OVERWRITE_IF, NonCached ? FILE_NO_INTERMEDIATE_BUFFERING : 0, &h, NULL);
    if (!NT_SUCCESS(s))
        return s;
    s = FsWriteAt(h, 0, buf, Length, &done);
    ZwClose(h);
    return NT_SUCCESS(s) && done != Length ? STATUS_UNSUCCESSFUL : s;
}

static BOOLEAN FtReadBack(PCWSTR Path, ULONG Length, ULONG Seed, BOOLEAN NonCached)
{
    static UCHAR want[16384], got[16384];
    HANDLE h;
    ULONG done = 0;
    FsPattern(want, Length, Seed);
    if (!NT_SUCCESS(FsOpen(Path, FILE_OPEN, NonCached ? FILE_NO_INTERMEDIATE_BUFFERING : 0, &h, NULL)))
        return FALSE;
    NTSTATUS s = FsReadAt(h, 0, got, Length, &done);
    ZwClose(h);
    return NT_SUCCESS(s) && done == Length && RtlCompareMemory(want, got, Length) == Length;
}

KTEST(fltmgr, null_minifilter_attaches_to_the_mounted_volume_and_unloads_cleanly)
{
    FT_POOL before, after;
    PFLT_VOLUME vols[4];
    ULONG n;
    WCHAR buf[32];
    UNICODE_STRING name = { 0, sizeof(buf), buf }, want = RTL_CONSTANT_STRING(L"\\Device\\RamDisk0");
    FtMount();
    FtPool(&before);
    RtlZeroMemory(&NullFilterState, sizeof(NullFilterState));
    KT_STATUS(FtLoad(L"\\Driver\\NullFilter", nullfilter_DriverEntry), STATUS_SUCCESS);
    KT_EQ(NullFilterState.SetupCalls, 1); /* one volume is mounted: one instance */
    KT_EQ(NullFilterState.SetupFlags, FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT);
    KT_STATUS(FltEnumerateVolumes(NullFilterState.Filter, vols, ARRAYSIZE(vols), &n), STATUS_SUCCESS);
    KT_EQ(n, 1);
    KT_STATUS(FltGetVolumeName(vols[0], &name, NULL), STATUS_SUCCESS);
    KT_ASSERT(RtlEqualUnicodeString(&name, &want, FALSE));
    KT_ASSERT(!IsListEmpty(&vols[0]->Instances));
    FltMgrDumpFilters();
    KT_STATUS(FtUnload(L"NullFilter"), STATUS_SUCCESS);
    KT_ASSERT(IsListEmpty(&vols[0]->Instances));
    FtPool(&after);
    for (ULONG i = 0; i < ARRAYSIZE(FtTags); i++)
        KT_EQ(after.Outstanding[i], before.Outstanding[i]);
    /* The name went with the unload: the same driver loads again. */
    KT_STATUS(FtLoad(L"\\Driver\\NullFilter", nullfilter_DriverEntry), STATUS_SUCCESS);
    KT_EQ(NullFilterState.SetupCalls, 2);
    KT_STATUS(FtUnload(L"NullFilter"), STATUS_SUCCESS);
    KT_STATUS(FtUnload(L"NullFilter"), STATUS_FLT_FILTER_NOT_FOUND);
}

KTEST(fltmgr, pass_through_sees_every_operation_once_before_and_once_after)
{
    static const UCHAR majors[] = { IRP_MJ_CREATE, IRP_MJ_WRITE, IRP_MJ_READ, IRP_MJ_QUERY_INFORMATION,
                                    IRP_MJ_SET_INFORMATION, IRP_MJ_DIRECTORY_CONTROL, IRP_MJ_FLUSH_BUFFERS,
                                    IRP_MJ_CLEANUP, IRP_MJ_CLOSE };
    static UCHAR buf[4096];
    HANDLE h;
    ULONG done, count;
    ULONG64 size;
    BOOLEAN found;
    FT_POOL before, after;
    FtMount();
    FtPool(&before);
    RtlZeroMemory(&PassFilterState, sizeof(PassFilterState));
    KT_STATUS(FtLoad(L"\\Driver\\PassFilter", passfilter_DriverEntry), STATUS_SUCCESS);
    /* Non-cached: every read and write is this thread's IRP, none a later lazy-writer write. */
    KT_STATUS(FsOpen(L"\\PASS.BIN", FILE_OVERWRITE_IF, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
    FsPattern(buf, sizeof(buf), 7);
    KT_STATUS(FsWriteAt(h, 0, buf, sizeof(buf), &done), STATUS_SUCCESS);
    KT_STATUS(FsFlush(h), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(h, 0, buf, sizeof(buf), &done), STATUS_SUCCESS);
    KT_STATUS(FsSize(h, &size), STATUS_SUCCESS);
    KT_EQ(size, sizeof(buf));
    KT_STATUS(FsSetSize(h, 100), STATUS_SUCCESS);
    ZwClose(h);
    KT_STATUS(FsCountEntries(L"\\", &count, L"PASS.BIN", &found), STATUS_SUCCESS);
    KT_ASSERT(found);
    for (ULONG i = 0; i < ARRAYSIZE(majors); i++) {
        KT_ASSERT(PassFilterState.Pre[majors[i]] > 0);
        KT_EQ(PassFilterState.Post[majors[i]], PassFilterState.Pre[majors[i]]);
    }
    KT_EQ(PassFilterState.WrongContext, 0); /* each post got its own pre's completion context */
    KT_EQ(PassFilterState.PostIrql[IRP_MJ_CREATE][0], PassFilterState.Post[IRP_MJ_CREATE]); /* post-create: PASSIVE */
    KT_STATUS(FtUnload(L"PassFilter"), STATUS_SUCCESS);
    KT_EQ(PassFilterState.TeardownStartReason, FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD);
    KT_EQ(PassFilterState.TeardownCompleteReason, FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD);
    FtPool(&after);
    for (ULONG i = 0; i < ARRAYSIZE(FtTags); i++)
        KT_EQ(after.Outstanding[i], before.Outstanding[i]);
}

KTEST(fltmgr, callbacks_run_in_altitude_order_pre_down_and_post_up)
{
    CHAR seq[64];
    FtMount();
    RtlZeroMemory(&PassFilterState, sizeof(PassFilterState));
    RtlZeroMemory(&PendFilterState, sizeof(PendFilterState));
    RtlZeroMemory(&SafeFilterState, sizeof(SafeFilterState));
    /* Loaded lowest first: the order of loading must not matter, only the altitude. */
    KT_STATUS(FtLoad(L"\\Driver\\SafeFilter", safefilter_DriverEntry), STATUS_SUCCESS);   /* 360000 */
    KT_STATUS(FtLoad(L"\\Driver\\PassFilter", passfilter_DriverEntry), STATUS_SUCCESS);   /* 385100 */
    KT_STATUS(FtLoad(L"\\Driver\\PendFilter", pendfilter_DriverEntry), STATUS_SUCCESS);   /* 370000 */
    FltMgrDumpFilters();
    FtResetLog();
    FltResetStats();
    KT_STATUS(FtWriteNew(L"\\ORDER.BIN", 8192, 11, TRUE), STATUS_SUCCESS);
    FILTER_STATS legacy;
    FltGetStats(&legacy);
    /* A non-cached write completes in the disk's DPC: both filter models see it there. */
    KT_ASSERT(PassFilterState.PostIrql[IRP_MJ_WRITE][2] >= 1);
    KT_ASSERT(legacy.CompletionIrql[IRP_MJ_WRITE][2] >= 1);
    KT_ASSERT(FtReadBack(L"\\ORDER.BIN", 8192, 11, TRUE));
    FtSequence(IRP_MJ_WRITE, seq, sizeof(seq));
    KT_ASSERT(strcmp(seq, "P0W0W1P1") == 0);
    FtSequence(IRP_MJ_READ, seq, sizeof(seq));
    KT_ASSERT(strcmp(seq, "P0S0S1P1") == 0);
    KT_STATUS(FtUnload(L"PendFilter"), STATUS_SUCCESS);
    KT_STATUS(FtUnload(L"PassFilter"), STATUS_SUCCESS);
    KT_STATUS(FtUnload(L"SafeFilter"), STATUS_SUCCESS);
}

KTEST(fltmgr, pended_pre_operation_is_completed_from_a_worker_thread)
{
    FtMount();
    RtlZeroMemory(&PendFilterState, sizeof(PendFilterState));
    KT_STATUS(FtLoad(L"\\Driver\\PendFilter", pendfilter_DriverEntry), STATUS_SUCCESS);
    KT_STATUS(FtWriteNew(L"\\PEND.BIN", 12288, 5, TRUE), STATUS_SUCCESS);
    KT_ASSERT(PendFilterState.Pended >= 1);
    KT_EQ(PendFilterState.Resumed, PendFilterState.Pended);
    KT_EQ(PendFilterState.Posts, PendFilterState.Pended);
    KT_EQ(PendFilterState.PreIrql, PASSIVE_LEVEL);
    KT_EQ(PendFilterState.ResumeIrql, PASSIVE_LEVEL);
    KT_ASSERT(PendFilterState.ResumeThread != PendFilterState.PreThread); /* a worker went on with it */
    KT_ASSERT(FtReadBack(L"\\PEND.BIN", 12288, 5, TRUE));
    KT_STATUS(FtUnload(L"PendFilter"), STATUS_SUCCESS);
}

/* Cached reads of a file already in the cache are fast I/O: the Filter Manager calls the
 * callbacks with the fast I/O flag instead of refusing them. */
KTEST(fltmgr, cached_reads_reach_minifilters_as_fast_io_operations)
{
    FtMount();
    RtlZeroMemory(&PassFilterState, sizeof(PassFilterState));
    KT_STATUS(FtWriteNew(L"\\FAST.BIN", 8192, 3, FALSE), STATUS_SUCCESS);
    KT_STATUS(FtLoad(L"\\Driver\\PassFilter", passfilter_DriverEntry), STATUS_SUCCESS);
    KT_ASSERT(FtReadBack(L"\\FAST.BIN", 8192, 3, FALSE));
    KT_ASSERT(FtReadBack(L"\\FAST.BIN", 8192, 3, FALSE));
    KT_ASSERT(PassFilterState.FastIo[IRP_MJ_READ] >= 1);
    KT_EQ(PassFilterState.Post[IRP_MJ_READ], PassFilterState.Pre[IRP_MJ_READ]);
    KT_EQ(PassFilterState.FastIoPostsAtPassive[IRP_MJ_READ], PassFilterState.FastIo[IRP_MJ_READ]); /* caller's thread */
    KT_STATUS(FtUnload(L"PassFilter"), STATUS_SUCCESS);
}

/* A minifilter that must pend a write refuses it as fast I/O; the IRP follows. */
KTEST(fltmgr, a_disallowed_fast_io_write_comes_back_as_an_irp)
{
    FtMount();
    RtlZeroMemory(&PendFilterState, sizeof(PendFilterState));
    KT_STATUS(FtWriteNew(L"\\FASTW.BIN", 4096, 8, FALSE), STATUS_SUCCESS);
    KT_STATUS(FtLoad(L"\\Driver\\PendFilter", pendfilter_DriverEntry), STATUS_SUCCESS);
    HANDLE h;
    static UCHAR buf[4096];
    ULONG done = 0;
    FsPattern(buf, sizeof(buf), 9);
    KT_STATUS(FsOpen(L"\\FASTW.BIN", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(h, 0, buf, sizeof(buf), &done), STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ(done, sizeof(buf));
    KT_ASSERT(PendFilterState.FastIoDisallowed >= 1);
    KT_ASSERT(PendFilterState.Pended >= 1);
    KT_ASSERT(FtReadBack(L"\\FASTW.BIN", 4096, 9, FALSE));
    KT_STATUS(FtUnload(L"PendFilter"), STATUS_SUCCESS);
}

/* With the asynchronous disk the read's post callback runs in the disk's DPC; what needs
 * PASSIVE_LEVEL (the file name, the stream context) goes to a worker. */
KTEST(fltmgr, post_operation_at_dispatch_moves_its_work_to_passive_when_safe)
{
    FILTER_STATS legacy;
    ULONG64 posted = FltpGlobals.SafePosted;
    FtMount();
    RtlZeroMemory(&SafeFilterState, sizeof(SafeFilterState));
    KT_STATUS(FtWriteNew(L"\\SAFE.BIN", 16384, 9, TRUE), STATUS_SUCCESS);
    KT_STATUS(FtLoad(L"\\Driver\\SafeFilter", safefilter_DriverEntry), STATUS_SUCCESS);
    FltResetStats();
    KT_ASSERT(FtReadBack(L"\\SAFE.BIN", 16384, 9, TRUE));
    FltGetStats(&legacy);
    KT_ASSERT(SafeFilterState.Posts[2] >= 1);                 /* the minifilter's post: DISPATCH_LEVEL */
    /* The deferred post holds the IRP: the legacy filter above completes only after the
     * worker, at PASSIVE_LEVEL. */
    KT_EQ(legacy.CompletionIrql[IRP_MJ_READ][2], 0);
    KT_ASSERT(legacy.CompletionIrql[IRP_MJ_READ][0] >= 1);
    KT_EQ(FltpGlobals.SafePosted - posted, SafeFilterState.Posts[2]);
    KT_EQ(SafeFilterState.SafeCalls, SafeFilterState.Posts[0] + SafeFilterState.Posts[2]);
    KT_EQ(SafeFilterState.SafeIrql, PASSIVE_LEVEL);
    KT_STATUS(SafeFilterState.LastNameStatus, STATUS_SUCCESS);
    KT_ASSERT(FtSameW(SafeFilterState.LastName, L"SAFE.BIN"));
    KT_EQ(SafeFilterState.ContextsCreated, 1);
    KT_STATUS(FtUnload(L"SafeFilter"), STATUS_SUCCESS);
    KT_EQ(SafeFilterState.ContextsCleanedUp, 1);              /* freed with the instance */
    KT_EQ(SafeFilterState.BytesRead, 16384);                  /* counted through the stream context */
}

KTEST_EX(fltmgr, post_operation_at_passive_runs_its_safe_work_inline_with_the_sync_disk, 0, "ramdisk.sync")
{
    ULONG64 posted = FltpGlobals.SafePosted;
    FtMount();
    RtlZeroMemory(&SafeFilterState, sizeof(SafeFilterState));
    KT_STATUS(FtWriteNew(L"\\SAFES.BIN", 8192, 4, TRUE), STATUS_SUCCESS);
    KT_STATUS(FtLoad(L"\\Driver\\SafeFilter", safefilter_DriverEntry), STATUS_SUCCESS);
    KT_ASSERT(FtReadBack(L"\\SAFES.BIN", 8192, 4, TRUE));
    KT_EQ(SafeFilterState.Posts[2], 0);
    KT_ASSERT(SafeFilterState.Posts[0] >= 1);
    KT_EQ(FltpGlobals.SafePosted, posted);                    /* nothing had to be posted */
    KT_EQ(SafeFilterState.SafeCalls, SafeFilterState.Posts[0]);
    KT_STATUS(FtUnload(L"SafeFilter"), STATUS_SUCCESS);
    KT_EQ(SafeFilterState.BytesRead, 8192);
}

KTEST(fltmgr, two_opens_of_one_file_share_its_stream_context)
{
    HANDLE a, b;
    FtMount();
    RtlZeroMemory(&SafeFilterState, sizeof(SafeFilterState));
    KT_STATUS(FtLoad(L"\\Driver\\SafeFilter", safefilter_DriverEntry), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\SHARE.TXT", FILE_OVERWRITE_IF, 0, &a, NULL), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\SHARE.TXT", FILE_OPEN, 0, &b, NULL), STATUS_SUCCESS);
    KT_EQ(SafeFilterState.ContextsCreated, 1);
    KT_EQ(SafeFilterState.SharedContextHits, 1);
    ZwClose(a);
    ZwClose(b);
    KT_STATUS(FtUnload(L"SafeFilter"), STATUS_SUCCESS);
    /* Two: the second open's new context lost to the first (KEEP_IF_EXISTS) and was freed
     * at once, and the shared one went with the instance; each gets its cleanup callback. */
    KT_EQ(SafeFilterState.ContextsCleanedUp, 2);
}

/* Load order: the Filter Manager's frame sits on the FAT volume, the legacy filter above it. */
KTEST(fltmgr, legacy_filter_sits_above_the_filter_manager_frame)
{
    HANDLE h;
    PFILE_OBJECT fo;
    UNICODE_STRING fltmgr = RTL_CONSTANT_STRING(L"\\FileSystem\\FltMgr");
    KT_STATUS(FsOpen(L"\\FLTMNT.TXT", FILE_OPEN_IF, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, (PVOID *)&fo, NULL), STATUS_SUCCESS);
    PDEVICE_OBJECT volume = fo->Vpb->DeviceObject, frame = volume->AttachedDevice;
    ObDereferenceObject(fo);
    ZwClose(h);
    KT_ASSERT(frame != NULL);
    KT_ASSERT(RtlEqualUnicodeString(&frame->DriverObject->DriverName, &fltmgr, TRUE));
    KT_ASSERT(frame->AttachedDevice != NULL);
    KT_EQ(frame->AttachedDevice->DriverObject, FltDriverObject);
}

/* A thread whose write the pending filter holds. */
static VOID FtHeldWriter(PVOID Context)
{
    *(NTSTATUS *)Context = FtWriteNew(L"\\DRAIN.BIN", 4096, 21, TRUE);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

KTEST(fltmgr, teardown_drains_the_post_callbacks_an_instance_is_still_owed)
{
    NTSTATUS writeStatus = STATUS_PENDING;
    LARGE_INTEGER to = KtMs(5000);
    FtMount();
    RtlZeroMemory(&PassFilterState, sizeof(PassFilterState));
    RtlZeroMemory(&PendFilterState, sizeof(PendFilterState));
    KT_STATUS(FtLoad(L"\\Driver\\PassFilter", passfilter_DriverEntry), STATUS_SUCCESS);
    KT_STATUS(FtLoad(L"\\Driver\\PendFilter", pendfilter_DriverEntry), STATUS_SUCCESS);
    PendFilterState.Hold = TRUE;
    PKTHREAD t = KtStartThread(FtHeldWriter, &writeStatus, 8);
    KT_ASSERT(t != NULL);
    KT_STATUS(KeWaitForSingleObject(&PendFilterState.HeldEvent, Executive, KernelMode, FALSE, &to), STATUS_SUCCESS);
    ULONG postsBefore = PassFilterState.Post[IRP_MJ_WRITE];
    KT_EQ(PassFilterState.Pre[IRP_MJ_WRITE], postsBefore + 1); /* the held write owes the pass filter a post */
    KT_STATUS(FtUnload(L"PassFilter"), STATUS_SUCCESS);           /* does not wait for the held write */
    KT_EQ(PassFilterState.Drained, 1);
    PendFilterRelease();
    KT_STATUS(KtJoinThread(t, 5000), STATUS_SUCCESS);
    KT_STATUS(writeStatus, STATUS_SUCCESS);
    KT_EQ(PassFilterState.Post[IRP_MJ_WRITE], postsBefore);       /* never called again after draining */
    KT_ASSERT(FtReadBack(L"\\DRAIN.BIN", 4096, 21, TRUE));
    KT_STATUS(FtUnload(L"PendFilter"), STATUS_SUCCESS);
}

KTEST(fltmgr, dismount_tears_down_every_instance_on_the_volume)
{
    FtMount();
    RtlZeroMemory(&PassFilterState, sizeof(PassFilterState));
    KT_STATUS(FtLoad(L"\\Driver\\PassFilter", passfilter_DriverEntry), STATUS_SUCCESS);
    KT_STATUS(FsDismount(), STATUS_SUCCESS);
    KT_EQ(PassFilterState.TeardownStartReason, FLTFL_INSTANCE_TEARDOWN_VOLUME_DISMOUNT);
    KT_EQ(PassFilterState.TeardownCompleteReason, FLTFL_INSTANCE_TEARDOWN_VOLUME_DISMOUNT);
    KT_ASSERT(IsListEmpty(&PassFilterState.Filter->Instances));
    FtOpenOnce(); /* the next open mounts afresh: a newly mounted volume gets a new instance */
    KT_EQ(PassFilterState.SetupCalls, 2);
    KT_EQ(PassFilterState.SetupFlags, FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT | FLTFL_INSTANCE_SETUP_NEWLY_MOUNTED_VOLUME);
    KT_STATUS(FtUnload(L"PassFilter"), STATUS_SUCCESS);
}

/* ---- What Windows stops for ---- */
KTEST_BUGCHECK(fltmgr, pre_callback_asking_for_a_post_callback_it_lacks_is_0xf5_0x66, FLTMGR_FILE_SYSTEM)
{
    FtMount();
    KT_STATUS(FtLoad(L"\\Driver\\BadFilter", badfilter_DriverEntry), STATUS_SUCCESS);
    BadFilterState.Bug = BadNoPostCallback; /* its write pre-callback declares the parameters */
    FtWriteNew(L"\\BAD.BIN", 512, 1, TRUE); /* non-cached: the IRP path's check, not fast I/O's */
}

KTEST_BUGCHECK(fltmgr, post_callback_waiting_at_dispatch_level_is_caught, 0xC4)
{
    FtMount();
    KT_STATUS(FtWriteNew(L"\\BADW.BIN", 4096, 1, TRUE), STATUS_SUCCESS);
    KT_STATUS(FtLoad(L"\\Driver\\BadFilter", badfilter_DriverEntry), STATUS_SUCCESS);
    BadFilterState.Bug = BadWaitInPost;
    FtReadBack(L"\\BADW.BIN", 4096, 1, TRUE); /* the disk's DPC runs the post callback */
}

KTEST_BUGCHECK(fltmgr, context_released_while_still_attached_is_0xf5_0x6d, FLTMGR_FILE_SYSTEM)
{
    HANDLE h;
    PFILE_OBJECT fo;
    PFLT_CONTEXT ctx;
    PFLT_INSTANCE inst;
    FtMount();
    KT_STATUS(FtLoad(L"\\Driver\\BadFilter", badfilter_DriverEntry), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\CTX.TXT", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, (PVOID *)&fo, NULL), STATUS_SUCCESS);
    inst = CONTAINING_RECORD(BadFilterState.Filter->Instances.Flink, FLT_INSTANCE, FilterLink);
    KT_STATUS(FltAllocateContext(BadFilterState.Filter, FLT_STREAM_CONTEXT, 16, NonPagedPool, &ctx), STATUS_SUCCESS);
    KT_STATUS(FltSetStreamContext(inst, fo, FLT_SET_CONTEXT_REPLACE_IF_EXISTS, ctx, NULL), STATUS_SUCCESS);
    FltReleaseContext(ctx); /* ours: the attachment's reference is left */
    KtExpectBugCheck(FLTMGR_CONTEXT_OVER_RELEASED, (ULONG64)ctx, (ULONG64)ctx - FLTP_CONTEXT_NODE_SIZE, 0);
    FltReleaseContext(ctx); /* the attachment's: not ours to drop */
}

extern UCHAR FltpVerifierBreakpoint[];

KTEST_BUGCHECK(fltmgr, context_leaked_at_unload_is_reported_by_filter_verifier, KMODE_EXCEPTION_NOT_HANDLED)
{
    HANDLE h;
    FtMount();
    KT_STATUS(FtLoad(L"\\Driver\\BadFilter", badfilter_DriverEntry), STATUS_SUCCESS);
    BadFilterState.Bug = BadLeakContext;
    KT_STATUS(FsOpen(L"\\LEAK.TXT", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS);
    ZwClose(h);
    KtExpectBugCheck(0x80000003, (ULONG64)FltpVerifierBreakpoint, 0, 0); /* STATUS_BREAKPOINT, no debugger */
    FtUnload(L"BadFilter");
}

KTEST_BUGCHECK(fltmgr, pended_operation_never_completed_is_reported_at_unload, KMODE_EXCEPTION_NOT_HANDLED)
{
    NTSTATUS writeStatus;
    LARGE_INTEGER to = KtMs(5000);
    FtMount();
    RtlZeroMemory(&PendFilterState, sizeof(PendFilterState));
    KT_STATUS(FtLoad(L"\\Driver\\PendFilter", pendfilter_DriverEntry), STATUS_SUCCESS);
    PendFilterState.Hold = TRUE;
    KT_ASSERT(KtStartThread(FtHeldWriter, &writeStatus, 8) != NULL);
    KT_STATUS(KeWaitForSingleObject(&PendFilterState.HeldEvent, Executive, KernelMode, FALSE, &to), STATUS_SUCCESS);
    KtExpectBugCheck(0x80000003, (ULONG64)FltpVerifierBreakpoint, 0, 0);
    FtUnload(L"PendFilter"); /* the held write is never released */
}
