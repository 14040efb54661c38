/* tests/flt/safefilter.c - a minifilter whose read post-operation needs PASSIVE_LEVEL (file
 * names, a stream context): FltDoCompletionProcessingWhenSafe moves it there from DISPATCH_LEVEL. */
#include <fltKernel.h>
#include "fltlog.h"
#include "safefilter.h"

#define SAFE_TAG 'fSfT'

SAFE_FILTER_STATE SafeFilterState;

typedef struct _SAFE_STREAM_CONTEXT {
    ULONG64 BytesRead;
    ULONG Opens;
} SAFE_STREAM_CONTEXT, *PSAFE_STREAM_CONTEXT;

DRIVER_INITIALIZE DriverEntry;
static FLT_PRE_OPERATION_CALLBACK SafePreRead;
static FLT_POST_OPERATION_CALLBACK SafePostCreate;
static FLT_POST_OPERATION_CALLBACK SafePostRead;
static FLT_POST_OPERATION_CALLBACK SafePostReadWhenSafe;
static FLT_FILTER_UNLOAD_CALLBACK SafeUnload;
static FLT_CONTEXT_CLEANUP_CALLBACK SafeContextCleanup;

static const FLT_CONTEXT_REGISTRATION Contexts[] = {
    { FLT_STREAM_CONTEXT, 0, SafeContextCleanup, sizeof(SAFE_STREAM_CONTEXT), SAFE_TAG, NULL, NULL, NULL },
    { FLT_CONTEXT_END }
};

static const FLT_OPERATION_REGISTRATION Callbacks[] = {
    { IRP_MJ_CREATE, 0, NULL, SafePostCreate, NULL },
    { IRP_MJ_READ, 0, SafePreRead, SafePostRead, NULL },
    { IRP_MJ_OPERATION_END }
};

static const FLT_REGISTRATION FilterRegistration = {
    .Size = sizeof(FLT_REGISTRATION),
    .Version = FLT_REGISTRATION_VERSION,
    .ContextRegistration = Contexts,
    .OperationRegistration = Callbacks,
    .FilterUnloadCallback = SafeUnload,
};

static VOID SafeContextCleanup(PFLT_CONTEXT Context, FLT_CONTEXT_TYPE ContextType)
{
    PSAFE_STREAM_CONTEXT sc = Context;
    UNREFERENCED_PARAMETER(ContextType);
    SafeFilterState.BytesRead += sc->BytesRead;
    SafeFilterState.ContextsCleanedUp++;
}

/* Post-create runs at PASSIVE_LEVEL: every open of a file shares one stream context. */
static FLT_POSTOP_CALLBACK_STATUS SafePostCreate(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects,
                                                 PVOID CompletionContext, FLT_POST_OPERATION_FLAGS Flags)
{
    PSAFE_STREAM_CONTEXT sc = NULL, old = NULL;
    NTSTATUS status;
    UNREFERENCED_PARAMETER(CompletionContext);
    if (!NT_SUCCESS(Data->IoStatus.Status) || (Flags & FLTFL_POST_OPERATION_DRAINING) || !FltObjects->FileObject ||
        !FltObjects->FileObject->FsContext)
        return FLT_POSTOP_FINISHED_PROCESSING;
    status = FltAllocateContext(FltObjects->Filter, FLT_STREAM_CONTEXT, sizeof(SAFE_STREAM_CONTEXT), NonPagedPool,
                                (PFLT_CONTEXT *)&sc);
    if (!NT_SUCCESS(status))
        return FLT_POSTOP_FINISHED_PROCESSING;
    RtlZeroMemory(sc, sizeof(*sc));
    status = FltSetStreamContext(FltObjects->Instance, FltObjects->FileObject, FLT_SET_CONTEXT_KEEP_IF_EXISTS, sc,
                                 (PFLT_CONTEXT *)&old);
    if (status == STATUS_FLT_CONTEXT_ALREADY_DEFINED) {
        old->Opens++;
        SafeFilterState.SharedContextHits++;
        FltReleaseContext(old);
    } else if (NT_SUCCESS(status)) {
        sc->Opens = 1;
        SafeFilterState.ContextsCreated++;
    }
    FltReleaseContext(sc);
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static FLT_PREOP_CALLBACK_STATUS SafePreRead(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects,
                                             PVOID *CompletionContext)
{
    UNREFERENCED_PARAMETER(FltObjects);
    UNREFERENCED_PARAMETER(CompletionContext);
    FltTestRecord('S', Data->Iopb->MajorFunction, 0);
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

/* PASSIVE_LEVEL: the name and the stream context can be had here. */
static FLT_POSTOP_CALLBACK_STATUS SafePostReadWhenSafe(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects,
                                                       PVOID CompletionContext, FLT_POST_OPERATION_FLAGS Flags)
{
    PFLT_FILE_NAME_INFORMATION name;
    PSAFE_STREAM_CONTEXT sc;
    UNREFERENCED_PARAMETER(CompletionContext);
    UNREFERENCED_PARAMETER(Flags);
    SafeFilterState.SafeCalls++;
    SafeFilterState.SafeIrql = KeGetCurrentIrql();
    FltTestRecord('S', IRP_MJ_READ, 3);
    SafeFilterState.LastNameStatus = FltGetFileNameInformation(Data, FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT, &name);
    if (NT_SUCCESS(SafeFilterState.LastNameStatus)) {
        FltParseFileNameInformation(name);
        ULONG n = min(name->FinalComponent.Length / sizeof(WCHAR), ARRAYSIZE(SafeFilterState.LastName) - 1);
        RtlCopyMemory(SafeFilterState.LastName, name->FinalComponent.Buffer, n * sizeof(WCHAR));
        SafeFilterState.LastName[n] = 0;
        FltReleaseFileNameInformation(name);
    }
    if (NT_SUCCESS(Data->IoStatus.Status) &&
        NT_SUCCESS(FltGetStreamContext(FltObjects->Instance, FltObjects->FileObject, (PFLT_CONTEXT *)&sc))) {
        sc->BytesRead += Data->IoStatus.Information;
        FltReleaseContext(sc);
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

/* IRQL <= DISPATCH_LEVEL, arbitrary thread: with the asynchronous disk this is the disk's DPC. */
static FLT_POSTOP_CALLBACK_STATUS SafePostRead(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects,
                                               PVOID CompletionContext, FLT_POST_OPERATION_FLAGS Flags)
{
    FLT_POSTOP_CALLBACK_STATUS status = FLT_POSTOP_FINISHED_PROCESSING;
    KIRQL irql = KeGetCurrentIrql();
    SafeFilterState.Posts[irql >= DISPATCH_LEVEL ? 2 : irql]++;
    FltTestRecord('S', IRP_MJ_READ, 1);
    if (!FltDoCompletionProcessingWhenSafe(Data, FltObjects, CompletionContext, Flags, SafePostReadWhenSafe, &status))
        return FLT_POSTOP_FINISHED_PROCESSING; /* draining or paging I/O: nothing may be posted */
    return status;
}

static NTSTATUS SafeUnload(FLT_FILTER_UNLOAD_FLAGS Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    FltUnregisterFilter(SafeFilterState.Filter);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status;
    UNREFERENCED_PARAMETER(RegistryPath);
    status = FltRegisterFilter(DriverObject, &FilterRegistration, &SafeFilterState.Filter);
    if (!NT_SUCCESS(status))
        return status;
    status = FltStartFiltering(SafeFilterState.Filter);
    if (!NT_SUCCESS(status))
        FltUnregisterFilter(SafeFilterState.Filter);
    return status;
}
