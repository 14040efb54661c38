/* tests/flt/badfilter.c - a broken minifilter for the bug-check tests: each bug is one line a
 * real driver gets wrong, and the stop it earns is asserted by the test that sets it. */
#include <fltKernel.h>
#include "../ktest.h"
#include "../../kernel/ke/ki.h" /* white-box: the stop names the waiting thread's WaitIrql */
#include "badfilter.h"

BAD_FILTER_STATE BadFilterState;

DRIVER_INITIALIZE DriverEntry;
static FLT_PRE_OPERATION_CALLBACK BadPreWrite;
static FLT_PRE_OPERATION_CALLBACK BadPreRead;
static FLT_POST_OPERATION_CALLBACK BadPostRead;
static FLT_POST_OPERATION_CALLBACK BadPostCreate;
static FLT_FILTER_UNLOAD_CALLBACK BadUnload;

static const FLT_CONTEXT_REGISTRATION Contexts[] = {
    { FLT_STREAM_CONTEXT, 0, NULL, 16, 'dBfT', NULL, NULL, NULL },
    { FLT_CONTEXT_END }
};

static const FLT_OPERATION_REGISTRATION Callbacks[] = {
    { IRP_MJ_CREATE, 0, NULL, BadPostCreate, NULL },
    { IRP_MJ_WRITE, 0, BadPreWrite, NULL, NULL }, /* the bug: no post callback */
    { IRP_MJ_READ, 0, BadPreRead, BadPostRead, NULL },
    { IRP_MJ_OPERATION_END }
};

static const FLT_REGISTRATION FilterRegistration = {
    .Size = sizeof(FLT_REGISTRATION),
    .Version = FLT_REGISTRATION_VERSION,
    .ContextRegistration = Contexts,
    .OperationRegistration = Callbacks,
    .FilterUnloadCallback = BadUnload,
};

static FLT_PREOP_CALLBACK_STATUS BadPreWrite(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects,
                                             PVOID *CompletionContext)
{
    UNREFERENCED_PARAMETER(FltObjects);
    UNREFERENCED_PARAMETER(CompletionContext);
    if (BadFilterState.Bug != BadNoPostCallback)
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    KtExpectBugCheck(FLTMGR_NO_POST_CALLBACK, (ULONG64)Data, 0, 0);
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

static FLT_PREOP_CALLBACK_STATUS BadPreRead(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects,
                                            PVOID *CompletionContext)
{
    UNREFERENCED_PARAMETER(Data);
    UNREFERENCED_PARAMETER(FltObjects);
    UNREFERENCED_PARAMETER(CompletionContext);
    return BadFilterState.Bug == BadWaitInPost ? FLT_PREOP_SUCCESS_WITH_CALLBACK : FLT_PREOP_SUCCESS_NO_CALLBACK;
}

/* The bug: a post callback may run at DISPATCH_LEVEL, where it must not wait. */
static FLT_POSTOP_CALLBACK_STATUS BadPostRead(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects,
                                              PVOID CompletionContext, FLT_POST_OPERATION_FLAGS Flags)
{
    UNREFERENCED_PARAMETER(Data);
    UNREFERENCED_PARAMETER(FltObjects);
    UNREFERENCED_PARAMETER(CompletionContext);
    UNREFERENCED_PARAMETER(Flags);
    if (KeGetCurrentIrql() == DISPATCH_LEVEL) {
        KtExpectBugCheck(0x121, (ULONG64)&KeGetCurrentThread()->WaitIrql,
                         (ULONG64)&BadFilterState.Event, 0);
        KeWaitForSingleObject(&BadFilterState.Event, Executive, KernelMode, FALSE, NULL);
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

/* The bug: the context FltGetStreamContext referenced is never released. */
static FLT_POSTOP_CALLBACK_STATUS BadPostCreate(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects,
                                                PVOID CompletionContext, FLT_POST_OPERATION_FLAGS Flags)
{
    PFLT_CONTEXT ctx;
    UNREFERENCED_PARAMETER(CompletionContext);
    UNREFERENCED_PARAMETER(Flags);
    if (BadFilterState.Bug != BadLeakContext || !NT_SUCCESS(Data->IoStatus.Status) || !FltObjects->FileObject->FsContext)
        return FLT_POSTOP_FINISHED_PROCESSING;
    if (NT_SUCCESS(FltAllocateContext(FltObjects->Filter, FLT_STREAM_CONTEXT, 16, NonPagedPool, &ctx))) {
        FltSetStreamContext(FltObjects->Instance, FltObjects->FileObject, FLT_SET_CONTEXT_KEEP_IF_EXISTS, ctx, NULL);
        FltReleaseContext(ctx);
        FltGetStreamContext(FltObjects->Instance, FltObjects->FileObject, &ctx); /* never released */
    }
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static NTSTATUS BadUnload(FLT_FILTER_UNLOAD_FLAGS Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    FltUnregisterFilter(BadFilterState.Filter);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status;
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&BadFilterState.Event, NotificationEvent, FALSE);
    status = FltRegisterFilter(DriverObject, &FilterRegistration, &BadFilterState.Filter);
    if (NT_SUCCESS(status))
        status = FltStartFiltering(BadFilterState.Filter);
    return status;
}
