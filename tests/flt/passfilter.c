/* tests/flt/passfilter.c - a pass-through minifilter with a pre- and a post-operation callback
 * for every operation FAT serves, written the way the WDK's samples are. */
#include <fltKernel.h>
#include "fltlog.h"
#include "passfilter.h"

PASS_FILTER_STATE PassFilterState;

DRIVER_INITIALIZE DriverEntry;
static FLT_PRE_OPERATION_CALLBACK PassPreOperation;
static FLT_POST_OPERATION_CALLBACK PassPostOperation;
static FLT_FILTER_UNLOAD_CALLBACK PassUnload;
static FLT_INSTANCE_SETUP_CALLBACK PassInstanceSetup;
static FLT_INSTANCE_QUERY_TEARDOWN_CALLBACK PassInstanceQueryTeardown;
static FLT_INSTANCE_TEARDOWN_CALLBACK PassInstanceTeardownStart;
static FLT_INSTANCE_TEARDOWN_CALLBACK PassInstanceTeardownComplete;

static const FLT_OPERATION_REGISTRATION Callbacks[] = {
    { IRP_MJ_CREATE, 0, PassPreOperation, PassPostOperation, NULL },
    { IRP_MJ_CLOSE, 0, PassPreOperation, PassPostOperation, NULL },
    { IRP_MJ_READ, 0, PassPreOperation, PassPostOperation, NULL },
    { IRP_MJ_WRITE, 0, PassPreOperation, PassPostOperation, NULL },
    { IRP_MJ_QUERY_INFORMATION, 0, PassPreOperation, PassPostOperation, NULL },
    { IRP_MJ_SET_INFORMATION, 0, PassPreOperation, PassPostOperation, NULL },
    { IRP_MJ_FLUSH_BUFFERS, 0, PassPreOperation, PassPostOperation, NULL },
    { IRP_MJ_QUERY_VOLUME_INFORMATION, 0, PassPreOperation, PassPostOperation, NULL },
    { IRP_MJ_DIRECTORY_CONTROL, 0, PassPreOperation, PassPostOperation, NULL },
    { IRP_MJ_FILE_SYSTEM_CONTROL, 0, PassPreOperation, PassPostOperation, NULL },
    { IRP_MJ_CLEANUP, 0, PassPreOperation, PassPostOperation, NULL },
    { IRP_MJ_OPERATION_END }
};

static const FLT_REGISTRATION FilterRegistration = {
    sizeof(FLT_REGISTRATION),
    FLT_REGISTRATION_VERSION,
    0,
    NULL,
    Callbacks,
    PassUnload,
    PassInstanceSetup,
    PassInstanceQueryTeardown,
    PassInstanceTeardownStart,
    PassInstanceTeardownComplete,
};

_Use_decl_annotations_
static FLT_PREOP_CALLBACK_STATUS PassPreOperation(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
                                                  _Flt_CompletionContext_Outptr_ PVOID *CompletionContext)
{
    UNREFERENCED_PARAMETER(FltObjects);
    PassFilterState.Pre[Data->Iopb->MajorFunction]++;
    if (FLT_IS_FASTIO_OPERATION(Data))
        PassFilterState.FastIo[Data->Iopb->MajorFunction]++;
    FltTestRecord('P', Data->Iopb->MajorFunction, 0);
    *CompletionContext = (PVOID)(ULONG_PTR)(0x5000 + Data->Iopb->MajorFunction);
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

/* Called at IRQL <= DISPATCH_LEVEL in an arbitrary thread: touches only nonpaged data. */
_IRQL_requires_max_(DISPATCH_LEVEL)
static FLT_POSTOP_CALLBACK_STATUS PassPostOperation(_Inout_ PFLT_CALLBACK_DATA Data, _In_ PCFLT_RELATED_OBJECTS FltObjects,
                                                    _In_opt_ PVOID CompletionContext, _In_ FLT_POST_OPERATION_FLAGS Flags)
{
    UCHAR major = Data->Iopb->MajorFunction;
    UNREFERENCED_PARAMETER(FltObjects);
    if (CompletionContext != (PVOID)(ULONG_PTR)(0x5000 + major))
        PassFilterState.WrongContext++;
    if (Flags & FLTFL_POST_OPERATION_DRAINING) {
        PassFilterState.Drained++;
        FltTestRecord('P', major, 2);
        return FLT_POSTOP_FINISHED_PROCESSING;
    }
    PassFilterState.Post[major]++;
    if (FLT_IS_FASTIO_OPERATION(Data) && KeGetCurrentIrql() == PASSIVE_LEVEL)
        PassFilterState.FastIoPostsAtPassive[major]++;
    PassFilterState.PostIrql[major][KeGetCurrentIrql() >= DISPATCH_LEVEL ? 2 : KeGetCurrentIrql()]++;
    FltTestRecord('P', major, 1);
    return FLT_POSTOP_FINISHED_PROCESSING;
}

_IRQL_requires_max_(PASSIVE_LEVEL)
static NTSTATUS PassInstanceSetup(_In_ PCFLT_RELATED_OBJECTS FltObjects, _In_ FLT_INSTANCE_SETUP_FLAGS Flags,
                                  _In_ DEVICE_TYPE VolumeDeviceType, _In_ FLT_FILESYSTEM_TYPE VolumeFilesystemType)
{
    UNREFERENCED_PARAMETER(FltObjects);
    PAGED_CODE();
    PassFilterState.SetupFlags = Flags;
    PassFilterState.SetupCalls++;
    if (VolumeDeviceType != FILE_DEVICE_DISK_FILE_SYSTEM || VolumeFilesystemType != FLT_FSTYPE_FAT)
        return STATUS_FLT_DO_NOT_ATTACH;
    return STATUS_SUCCESS;
}

static NTSTATUS PassInstanceQueryTeardown(PCFLT_RELATED_OBJECTS FltObjects, FLT_INSTANCE_QUERY_TEARDOWN_FLAGS Flags)
{
    UNREFERENCED_PARAMETER(FltObjects);
    UNREFERENCED_PARAMETER(Flags);
    return STATUS_SUCCESS;
}

static VOID PassInstanceTeardownStart(PCFLT_RELATED_OBJECTS FltObjects, FLT_INSTANCE_TEARDOWN_FLAGS Reason)
{
    UNREFERENCED_PARAMETER(FltObjects);
    PassFilterState.TeardownStartReason = Reason;
}

static VOID PassInstanceTeardownComplete(PCFLT_RELATED_OBJECTS FltObjects, FLT_INSTANCE_TEARDOWN_FLAGS Reason)
{
    UNREFERENCED_PARAMETER(FltObjects);
    PassFilterState.TeardownCompleteReason = Reason;
}

_IRQL_requires_max_(PASSIVE_LEVEL)
static NTSTATUS PassUnload(_In_ FLT_FILTER_UNLOAD_FLAGS Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    PAGED_CODE();
    FltUnregisterFilter(PassFilterState.Filter);
    PassFilterState.Unloaded = TRUE;
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    NTSTATUS status;
    UNREFERENCED_PARAMETER(RegistryPath);
    status = FltRegisterFilter(DriverObject, &FilterRegistration, &PassFilterState.Filter);
    if (!NT_SUCCESS(status))
        return status;
    status = FltStartFiltering(PassFilterState.Filter);
    if (!NT_SUCCESS(status))
        FltUnregisterFilter(PassFilterState.Filter);
    return status;
}
