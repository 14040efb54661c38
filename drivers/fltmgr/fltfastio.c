/* drivers/fltmgr/fltfastio.c - fast I/O through the Filter Manager's frame: reads and writes go
 * through the minifilters' callbacks as fast I/O operations; the rest pass or fall back to IRPs. */
#include "fltmgrp.h"

/* A minifilter instance on the frame's volume registered for Major. For the routines other
 * than read and write the request must then come as an IRP, where its callbacks run, as if
 * the minifilter had answered FLT_PREOP_DISALLOW_FASTIO. */
static BOOLEAN FltpWanted(PDEVICE_OBJECT Frame, UCHAR Major)
{
    PFLTP_FRAME_EXTENSION ext = Frame->DeviceExtension;
    BOOLEAN wanted = FALSE;
    KIRQL irql;
    if (!ext->Volume)
        return FALSE;
    KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
    for (PLIST_ENTRY l = ext->Volume->Instances.Flink; l != &ext->Volume->Instances && !wanted; l = l->Flink) {
        PFLT_INSTANCE i = CONTAINING_RECORD(l, FLT_INSTANCE, VolumeLink);
        wanted = i->Filter->Pre[Major] || i->Filter->Post[Major];
    }
    KeReleaseSpinLock(&FltpGlobals.Lock, irql);
    return wanted;
}

/* The file system's table, if it holds the routine ending at End, unless Major is wanted. */
static PFAST_IO_DISPATCH FltpLower(PDEVICE_OBJECT Frame, UCHAR Major, ULONG End, PDEVICE_OBJECT *Lower)
{
    PFLTP_FRAME_EXTENSION ext = Frame->DeviceExtension;
    *Lower = ext->AttachedTo;
    if (Major != 0xFF && FltpWanted(Frame, Major))
        return NULL;
    PFAST_IO_DISPATCH fio = *Lower ? (*Lower)->DriverObject->FastIoDispatch : NULL;
    return fio && fio->SizeOfFastIoDispatch >= End ? fio : NULL;
}

#define FLTP_END(field) (FIELD_OFFSET(FAST_IO_DISPATCH, field) + sizeof(PVOID))
#define FLTP_PASS(major, field, ...)                                                           \
    PDEVICE_OBJECT lower;                                                                      \
    PFAST_IO_DISPATCH fio = FltpLower(DeviceObject, major, FLTP_END(field), &lower);            \
    return fio && fio->field ? fio->field(__VA_ARGS__, lower) : FALSE

/* The FAST_IO_* routines: PASSIVE_LEVEL, as the I/O manager calls them. */
static BOOLEAN FltpFastIoCheckIfPossible(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length,
                                         BOOLEAN Wait, ULONG LockKey, BOOLEAN CheckForReadOperation,
                                         PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(0xFF, FastIoCheckIfPossible, FileObject, FileOffset,
              Length, Wait, LockKey, CheckForReadOperation, IoStatus);
}

/* Post callbacks of a fast I/O operation, lowest altitude first, in the caller's thread. */
static VOID FltpFastPost(PFLTP_IRP_CTRL C)
{
    C->Data.Flags |= FLTFL_CALLBACK_DATA_POST_OPERATION;
    while (C->Depth) {
        FLTP_COMPLETION_NODE *n = &C->Stack[--C->Depth];
        FLT_RELATED_OBJECTS o;
        FltpRelatedObjects(&o, n->Instance, C->Iopb.TargetFileObject);
        C->Iopb.TargetInstance = n->Instance;
        __atomic_add_fetch(&FltpGlobals.PostCalls, 1, __ATOMIC_RELAXED);
        if (n->Instance->Filter->Post[C->Iopb.MajorFunction](&C->Data, &o, n->Context, 0) !=
            FLT_POSTOP_FINISHED_PROCESSING)
            FltpVerifierError(n->Instance->Filter, "A filter pended the post-operation of a fast I/O operation", 0);
        FltpDrop(n->Instance);
    }
}

/* IRQL == PASSIVE_LEVEL (fast I/O). A read or write as a fast I/O operation: pre callbacks top
 * down (FLT_PREOP_DISALLOW_FASTIO stops the walk: the filters above get their post callbacks
 * with STATUS_FLT_DISALLOW_FAST_IO and the I/O manager sends the IRP), the file system's fast
 * routine, then the post callbacks. The operation is synchronous: nothing may pend. */
static DECLSPEC_NOINLINE BOOLEAN FltpFastReadWriteFiltered(PFLTP_FRAME_EXTENSION Ext, PDEVICE_OBJECT Lower,
                                                           PFAST_IO_READ Routine, UCHAR Major, PFILE_OBJECT FileObject,
                                                           PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                                                           ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus)
{
    PFLT_INSTANCE snapshot[FLTP_MAX_INSTANCES];
    ULONG n = FltpSnapshot(Ext->Volume, Major, snapshot);
    if (!n)
        return Routine(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, Lower);
    PFLTP_IRP_CTRL c = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*c), FLTP_CTRL_TAG);
    if (!c) {
        for (ULONG i = 0; i < n; i++)
            FltpDrop(snapshot[i]);
        return FALSE;
    }
    *(PFLT_IO_PARAMETER_BLOCK *)&c->Data.Iopb = &c->Iopb;
    *(PETHREAD *)&c->Data.Thread = KeGetCurrentThread();
    c->Data.Flags = FLTFL_CALLBACK_DATA_FAST_IO_OPERATION;
    c->Data.RequestorMode = KernelMode;
    c->Iopb.MajorFunction = Major;
    c->Iopb.TargetFileObject = FileObject;
    c->Iopb.Parameters.Read.Length = Length;
    c->Iopb.Parameters.Read.Key = LockKey;
    c->Iopb.Parameters.Read.ByteOffset = *FileOffset;
    c->Iopb.Parameters.Read.ReadBuffer = Buffer;
    c->Refs = 1;
    c->Volume = Ext->Volume;
    BOOLEAN done = FALSE, result = FALSE;
    for (ULONG i = 0; i < n; i++) {
        PFLT_INSTANCE inst = snapshot[i];
        PFLT_FILTER f = inst->Filter;
        FLT_PREOP_CALLBACK_STATUS st = FLT_PREOP_SUCCESS_WITH_CALLBACK;
        PVOID context = NULL;
        if (done || inst->TearingDown) {
            FltpDrop(inst);
            continue;
        }
        if (f->Pre[Major]) {
            FLT_RELATED_OBJECTS o;
            FltpRelatedObjects(&o, inst, FileObject);
            c->Iopb.TargetInstance = inst;
            __atomic_add_fetch(&FltpGlobals.PreCalls, 1, __ATOMIC_RELAXED);
            st = f->Pre[Major](&c->Data, &o, &context);
        }
        if (st == FLT_PREOP_SUCCESS_WITH_CALLBACK || st == FLT_PREOP_SYNCHRONIZE) {
            if (!f->Post[Major])
                KeBugCheckEx(FLTMGR_FILE_SYSTEM, FLTMGR_NO_POST_CALLBACK, (ULONG_PTR)&c->Data, 0, 0);
            c->Stack[c->Depth].Instance = inst;
            c->Stack[c->Depth++].Context = context;
            continue;
        }
        FltpDrop(inst);
        if (st == FLT_PREOP_DISALLOW_FASTIO) {
            c->Data.IoStatus.Status = STATUS_FLT_DISALLOW_FAST_IO;
            done = TRUE;
        } else if (st == FLT_PREOP_COMPLETE) {
            result = done = TRUE;
        } else if (st != FLT_PREOP_SUCCESS_NO_CALLBACK) {
            FltpVerifierError(f, "A filter returned a status a fast I/O pre-operation cannot take", st);
        }
    }
    if (!done) {
        /* A filter may have changed the parameters (FltSetCallbackDataDirty). */
        LARGE_INTEGER offset = c->Iopb.Parameters.Read.ByteOffset;
        result = Routine(FileObject, &offset, c->Iopb.Parameters.Read.Length, Wait, LockKey,
                         c->Iopb.Parameters.Read.ReadBuffer, &c->Data.IoStatus, Lower);
        if (!result)
            c->Data.IoStatus.Status = STATUS_FLT_DISALLOW_FAST_IO;
    }
    FltpFastPost(c);
    *IoStatus = c->Data.IoStatus;
    ExFreePoolWithTag(c, FLTP_CTRL_TAG);
    return result;
}

/* The frame's entry: with no instance on the volume (the common case, and every volume being
 * dismounted) the file system's routine is called straight away, as a tail call. */
FORCEINLINE BOOLEAN FltpFastReadWrite(PDEVICE_OBJECT Frame, UCHAR Major, PFILE_OBJECT FileObject,
                                      PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait, ULONG LockKey,
                                      PVOID Buffer, PIO_STATUS_BLOCK IoStatus)
{
    PFLTP_FRAME_EXTENSION ext = Frame->DeviceExtension;
    PDEVICE_OBJECT lower = ext->AttachedTo;
    PFAST_IO_DISPATCH fio = lower->DriverObject->FastIoDispatch;
    PFAST_IO_READ routine = !fio ? NULL : Major == IRP_MJ_READ ? fio->FastIoRead : fio->FastIoWrite;
    PFLT_VOLUME v = ext->Volume;
    if (!routine)
        return FALSE;
    if (!v || v->Dismounting || FltpVolumeHasNoInstances(v))
        return routine(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, lower);
    return FltpFastReadWriteFiltered(ext, lower, routine, Major, FileObject, FileOffset, Length, Wait, LockKey, Buffer,
                                     IoStatus);
}

static BOOLEAN FltpFastIoRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                              ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    return FltpFastReadWrite(DeviceObject, IRP_MJ_READ, FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus);
}

static BOOLEAN FltpFastIoWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait,
                               ULONG LockKey, PVOID Buffer, PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    return FltpFastReadWrite(DeviceObject, IRP_MJ_WRITE, FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus);
}

static BOOLEAN FltpFastIoQueryBasicInfo(PFILE_OBJECT FileObject, BOOLEAN Wait, PFILE_BASIC_INFORMATION Buffer,
                                        PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_QUERY_INFORMATION, FastIoQueryBasicInfo, FileObject, Wait, Buffer, IoStatus);
}

static BOOLEAN FltpFastIoQueryStandardInfo(PFILE_OBJECT FileObject, BOOLEAN Wait, PFILE_STANDARD_INFORMATION Buffer,
                                           PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_QUERY_INFORMATION, FastIoQueryStandardInfo, FileObject, Wait, Buffer, IoStatus);
}

static BOOLEAN FltpFastIoQueryNetworkOpenInfo(PFILE_OBJECT FileObject, BOOLEAN Wait,
                                              PFILE_NETWORK_OPEN_INFORMATION Buffer, PIO_STATUS_BLOCK IoStatus,
                                              PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_QUERY_INFORMATION, FastIoQueryNetworkOpenInfo, FileObject, Wait, Buffer, IoStatus);
}

static BOOLEAN FltpFastIoLock(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, PLARGE_INTEGER Length,
                              PVOID ProcessId, ULONG Key, BOOLEAN FailImmediately, BOOLEAN ExclusiveLock,
                              PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_LOCK_CONTROL, FastIoLock, FileObject, FileOffset, Length, ProcessId, Key, FailImmediately,
              ExclusiveLock, IoStatus);
}

static BOOLEAN FltpFastIoUnlockSingle(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, PLARGE_INTEGER Length,
                                      PVOID ProcessId, ULONG Key, PIO_STATUS_BLOCK IoStatus,
                                      PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_LOCK_CONTROL, FastIoUnlockSingle, FileObject, FileOffset, Length, ProcessId, Key, IoStatus);
}

static BOOLEAN FltpFastIoUnlockAll(PFILE_OBJECT FileObject, PVOID ProcessId, PIO_STATUS_BLOCK IoStatus,
                                   PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_LOCK_CONTROL, FastIoUnlockAll, FileObject, ProcessId, IoStatus);
}

static BOOLEAN FltpFastIoUnlockAllByKey(PFILE_OBJECT FileObject, PVOID ProcessId, ULONG Key,
                                        PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_LOCK_CONTROL, FastIoUnlockAllByKey, FileObject, ProcessId, Key, IoStatus);
}

static BOOLEAN FltpFastIoDeviceControl(PFILE_OBJECT FileObject, BOOLEAN Wait, PVOID InputBuffer,
                                       ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength,
                                       ULONG IoControlCode, PIO_STATUS_BLOCK IoStatus, PDEVICE_OBJECT DeviceObject)
{
    FLTP_PASS(IRP_MJ_DEVICE_CONTROL, FastIoDeviceControl, FileObject, Wait, InputBuffer, InputBufferLength,
              OutputBuffer, OutputBufferLength, IoControlCode, IoStatus);
}

/* The section pair is called with the file only: the frame below the caller is found again. */
static PFAST_IO_DISPATCH FltpSectionLower(PFILE_OBJECT FileObject, ULONG End)
{
    PDEVICE_OBJECT d = IoGetRelatedDeviceObject(FileObject), lower;
    while (d && d->DriverObject != FltpGlobals.Driver)
        d = d->DeviceObjectExtension->AttachedTo;
    return d ? FltpLower(d, 0xFF, End, &lower) : NULL;
}

static VOID FltpAcquireFileForNtCreateSection(PFILE_OBJECT FileObject)
{
    PFAST_IO_DISPATCH fio = FltpSectionLower(FileObject, FLTP_END(AcquireFileForNtCreateSection));
    if (fio && fio->AcquireFileForNtCreateSection)
        fio->AcquireFileForNtCreateSection(FileObject);
}

static VOID FltpReleaseFileForNtCreateSection(PFILE_OBJECT FileObject)
{
    PFAST_IO_DISPATCH fio = FltpSectionLower(FileObject, FLTP_END(ReleaseFileForNtCreateSection));
    if (fio && fio->ReleaseFileForNtCreateSection)
        fio->ReleaseFileForNtCreateSection(FileObject);
}

FAST_IO_DISPATCH FltpFastIoDispatch = {
    .SizeOfFastIoDispatch = sizeof(FAST_IO_DISPATCH),
    .FastIoCheckIfPossible = FltpFastIoCheckIfPossible,
    .FastIoRead = FltpFastIoRead,
    .FastIoWrite = FltpFastIoWrite,
    .FastIoQueryBasicInfo = FltpFastIoQueryBasicInfo,
    .FastIoQueryStandardInfo = FltpFastIoQueryStandardInfo,
    .FastIoLock = FltpFastIoLock,
    .FastIoUnlockSingle = FltpFastIoUnlockSingle,
    .FastIoUnlockAll = FltpFastIoUnlockAll,
    .FastIoUnlockAllByKey = FltpFastIoUnlockAllByKey,
    .FastIoDeviceControl = FltpFastIoDeviceControl,
    .AcquireFileForNtCreateSection = FltpAcquireFileForNtCreateSection,
    .ReleaseFileForNtCreateSection = FltpReleaseFileForNtCreateSection,
    .FastIoDetachDevice = FltpFastIoDetachDevice,
    .FastIoQueryNetworkOpenInfo = FltpFastIoQueryNetworkOpenInfo,
};
