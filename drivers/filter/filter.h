/* drivers/filter/filter.h - a legacy file-system filter: device extensions and the
 * statistics its dispatch, fast-I/O and completion routines keep in nonpaged memory. */
#pragma once
#include <ntddk.h>

#define FLT_TAG 'tlFI'

/* The fast-I/O routines the filter passes down, by index in FILTER_STATS.FastIo*. */
enum {
    FltFastIoCheckIfPossible, FltFastIoRead, FltFastIoWrite, FltFastIoQueryBasicInfo, FltFastIoQueryStandardInfo,
    FltFastIoLock, FltFastIoUnlockSingle, FltFastIoUnlockAll, FltFastIoUnlockAllByKey, FltFastIoDeviceControl,
    FltAcquireFileForNtCreateSection, FltReleaseFileForNtCreateSection, FltFastIoQueryNetworkOpenInfo,
    FLT_FASTIO_ROUTINES
};

/* What the completion routines saw. IRQL buckets: PASSIVE, APC, DISPATCH (or above). */
typedef struct _FILTER_STATS {
    ULONG64 Requests[IRP_MJ_MAXIMUM_FUNCTION + 1];
    ULONG64 Completions[IRP_MJ_MAXIMUM_FUNCTION + 1];
    ULONG64 CompletionsAtIrql[3];
    ULONG64 CompletionIrql[IRP_MJ_MAXIMUM_FUNCTION + 1][3]; /* the same, by major function */
    ULONG64 BytesRead, BytesWritten;
    ULONG64 PendingReturned;     /* completions that saw Irp->PendingReturned set */
    ULONG64 Failures;            /* completions with an error status */
    NTSTATUS LastStatus;
    ULONG64 CreateWaits;         /* case 1: dispatch waited for its event */
    ULONG64 Posted;              /* case 2: completion posted the IRP to a worker */
    ULONG64 PostedFinishedAtPassive;
    ULONG64 VolumesAttached;
    ULONG64 VolumesDetached;     /* FastIoDetachDevice: the volume below was deleted */
    ULONG64 FastIoCalls[FLT_FASTIO_ROUTINES];  /* fast-I/O routines called on us, by routine */
    ULONG64 FastIoPassed[FLT_FASTIO_ROUTINES]; /* ... and answered TRUE by the driver below */
    ULONG64 FastIoBytesRead, FastIoBytesWritten;
} FILTER_STATS, *PFILTER_STATS;

typedef struct _FILTER_EXTENSION {
    PDEVICE_OBJECT Self;
    PDEVICE_OBJECT AttachedTo; /* the next lower device: a volume or the FS control device */
    BOOLEAN IsVolume;
} FILTER_EXTENSION, *PFILTER_EXTENSION;

extern PDRIVER_OBJECT FltDriverObject;
VOID FltGetStats(PFILTER_STATS Out);   /* IRQL <= DISPATCH_LEVEL */
VOID FltResetStats(void);              /* IRQL <= DISPATCH_LEVEL */
VOID FltDumpStats(void);               /* IRQL <= DISPATCH_LEVEL */
VOID FltRecordCompletion(UCHAR Major, PIRP Irp);
/* One more on a counter inside the statistics, or Bytes more: interlocked, with no lock, since
 * the fast-I/O path counts every call (the snapshot under the lock reads whole counters). */
FORCEINLINE VOID FltpCount(ULONG64 *Counter) { InterlockedIncrement64((LONG64 volatile *)Counter); }
FORCEINLINE VOID FltpCountBytes(ULONG64 *Counter, ULONG_PTR Bytes)
{
    InterlockedExchangeAdd64((LONG64 volatile *)Counter, (LONG64)Bytes);
}
extern FILTER_STATS FltpStats;          /* where those counters live (fltstats.c) */
#define FltpStatsBlock() (&FltpStats)
extern FAST_IO_DISPATCH FltFastIoDispatch; /* fltfastio.c */
VOID FltFastIoDetachDevice(PDEVICE_OBJECT SourceDevice, PDEVICE_OBJECT TargetDevice);
NTSTATUS FltAttachToDevice(PDEVICE_OBJECT Target, BOOLEAN IsVolume, PDEVICE_OBJECT *FilterDevice);

DRIVER_DISPATCH FltPassThrough;
DRIVER_DISPATCH FltReadWrite;
DRIVER_DISPATCH FltCreate;
DRIVER_DISPATCH FltPostToWorker;
DRIVER_DISPATCH FltFsControl;
