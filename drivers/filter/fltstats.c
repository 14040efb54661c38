/* drivers/filter/fltstats.c - the filter's statistics: recorded by completion routines at
 * up to DISPATCH_LEVEL, so nonpaged; a completion's record under a spin lock, counters interlocked. */
#include "filter.h"

static KSPIN_LOCK FltpStatsLock;
FILTER_STATS FltpStats; /* kernel image data: never paged */

/* IRQL <= DISPATCH_LEVEL. Called from completion routines and the post-processing worker. */
VOID FltRecordCompletion(UCHAR Major, PIRP Irp)
{
    KIRQL irql = KeGetCurrentIrql(), old;
    KeAcquireSpinLock(&FltpStatsLock, &old);
    FltpStats.Completions[Major]++;
    FltpStats.CompletionsAtIrql[irql >= DISPATCH_LEVEL ? 2 : irql]++;
    FltpStats.CompletionIrql[Major][irql >= DISPATCH_LEVEL ? 2 : irql]++;
    if (Irp->PendingReturned)
        FltpStats.PendingReturned++;
    if (NT_ERROR(Irp->IoStatus.Status))
        FltpStats.Failures++;
    else if (Major == IRP_MJ_READ)
        FltpStats.BytesRead += Irp->IoStatus.Information;
    else if (Major == IRP_MJ_WRITE)
        FltpStats.BytesWritten += Irp->IoStatus.Information;
    FltpStats.LastStatus = Irp->IoStatus.Status;
    KeReleaseSpinLock(&FltpStatsLock, old);
}

/* IRQL <= DISPATCH_LEVEL. */
VOID FltGetStats(PFILTER_STATS Out)
{
    KIRQL old;
    KeAcquireSpinLock(&FltpStatsLock, &old);
    *Out = FltpStats;
    KeReleaseSpinLock(&FltpStatsLock, old);
}

/* IRQL <= DISPATCH_LEVEL. */
VOID FltResetStats(void)
{
    KIRQL old;
    KeAcquireSpinLock(&FltpStatsLock, &old);
    RtlZeroMemory(&FltpStats, sizeof(FltpStats));
    KeReleaseSpinLock(&FltpStatsLock, old);
}

/* IRQL <= DISPATCH_LEVEL. */
VOID FltDumpStats(void)
{
    FILTER_STATS s;
    FltGetStats(&s);
    DbgPrint("Filter statistics (recorded by its dispatch and completion routines):\n");
    for (UCHAR i = 0; i < ARRAYSIZE(s.Requests); i++)
        if (s.Requests[i] || s.Completions[i])
            DbgPrint("  %-31s requests %4llu, completions seen %4llu (PASSIVE %llu, DISPATCH %llu)\n",
                     IoGetMajorFunctionName(i), s.Requests[i], s.Completions[i], s.CompletionIrql[i][0],
                     s.CompletionIrql[i][2]);
    DbgPrint("  completion routines ran at PASSIVE %llu, APC %llu, DISPATCH %llu\n", s.CompletionsAtIrql[0],
             s.CompletionsAtIrql[1], s.CompletionsAtIrql[2]);
    DbgPrint("  bytes read %llu, written %llu; PendingReturned seen %llu; failures %llu\n", s.BytesRead,
             s.BytesWritten, s.PendingReturned, s.Failures);
    DbgPrint("  pended creates waited for on an event %llu; posted to a worker %llu"
             " (finished at PASSIVE %llu)\n", s.CreateWaits, s.Posted, s.PostedFinishedAtPassive);
    DbgPrint("  volumes attached %llu, detached %llu\n", s.VolumesAttached, s.VolumesDetached);
}
