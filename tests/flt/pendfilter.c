/* tests/flt/pendfilter.c - a minifilter that pends every write's pre-operation to a worker
 * thread and completes it there with FltCompletePendedPreOperation, as the WDK's samples do. */
#include <fltKernel.h>
#include "fltlog.h"
#include "pendfilter.h"

PEND_FILTER_STATE PendFilterState;

DRIVER_INITIALIZE DriverEntry;
static FLT_PRE_OPERATION_CALLBACK PendPreWrite;
static FLT_POST_OPERATION_CALLBACK PendPostWrite;
static FLT_FILTER_UNLOAD_CALLBACK PendUnload;
static FLT_DEFERRED_IO_WORKITEM_ROUTINE PendWorker;

static const FLT_OPERATION_REGISTRATION Callbacks[] = {
    { IRP_MJ_WRITE, 0, PendPreWrite, PendPostWrite, NULL },
    { IRP_MJ_OPERATION_END }
};

static const FLT_REGISTRATION FilterRegistration = {
    .Size = sizeof(FLT_REGISTRATION),
    .Version = FLT_REGISTRATION_VERSION,
    .OperationRegistration = Callbacks,
    .FilterUnloadCallback = PendUnload,
};

/* PASSIVE_LEVEL, in a system worker thread: the pre-operation's work, then the operation
 * goes on down the stack from here. */
static VOID PendWorker(PFLT_DEFERRED_IO_WORKITEM FltWorkItem, PFLT_CALLBACK_DATA CallbackData, PVOID Context)
{
    PendFilterState.Resumed++;
    PendFilterState.ResumeIrql = KeGetCurrentIrql();
    PendFilterState.ResumeThread = KeGetCurrentThread();
    FltFreeDeferredIoWorkItem(FltWorkItem);
    FltCompletePendedPreOperation(CallbackData, FLT_PREOP_SUCCESS_WITH_CALLBACK, Context);
}

static FLT_PREOP_CALLBACK_STATUS PendPreWrite(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects,
                                              PVOID *CompletionContext)
{
    PFLT_DEFERRED_IO_WORKITEM item;
    UNREFERENCED_PARAMETER(FltObjects);
    UNREFERENCED_PARAMETER(CompletionContext);
    if (FLT_IS_FASTIO_OPERATION(Data)) {
        PendFilterState.FastIoDisallowed++; /* a fast I/O operation cannot pend: ask for the IRP */
        return FLT_PREOP_DISALLOW_FASTIO;
    }
    FltTestRecord('W', IRP_MJ_WRITE, 0);
    PendFilterState.PreIrql = KeGetCurrentIrql();
    PendFilterState.PreThread = KeGetCurrentThread();
    if (PendFilterState.Hold) {
        PendFilterState.Hold = FALSE;
        PendFilterState.Held = Data;
        PendFilterState.Pended++;
        KeSetEvent(&PendFilterState.HeldEvent, IO_NO_INCREMENT, FALSE);
        return FLT_PREOP_PENDING;
    }
    item = FltAllocateDeferredIoWorkItem();
    if (!item)
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    if (!NT_SUCCESS(FltQueueDeferredIoWorkItem(item, Data, PendWorker, DelayedWorkQueue, (PVOID)'dneP'))) {
        FltFreeDeferredIoWorkItem(item);
        return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    PendFilterState.Pended++;
    return FLT_PREOP_PENDING;
}

static FLT_POSTOP_CALLBACK_STATUS PendPostWrite(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects,
                                                PVOID CompletionContext, FLT_POST_OPERATION_FLAGS Flags)
{
    UNREFERENCED_PARAMETER(Data);
    UNREFERENCED_PARAMETER(FltObjects);
    UNREFERENCED_PARAMETER(Flags);
    if (CompletionContext == (PVOID)'dneP' || CompletionContext == NULL)
        PendFilterState.Posts++;
    PendFilterState.PostIrql = KeGetCurrentIrql();
    FltTestRecord('W', IRP_MJ_WRITE, (Flags & FLTFL_POST_OPERATION_DRAINING) ? 2 : 1);
    return FLT_POSTOP_FINISHED_PROCESSING;
}

/* The test's side of a held write: it goes on as if the worker had finished. */
VOID PendFilterRelease(void)
{
    PFLT_CALLBACK_DATA data = PendFilterState.Held;
    PendFilterState.Held = NULL;
    PendFilterState.Resumed++;
    FltCompletePendedPreOperation(data, FLT_PREOP_SUCCESS_WITH_CALLBACK, NULL);
}

static NTSTATUS PendUnload(FLT_FILTER_UNLOAD_FLAGS Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    FltUnregisterFilter(PendFilterState.Filter);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status;
    UNREFERENCED_PARAMETER(RegistryPath);
    KeInitializeEvent(&PendFilterState.HeldEvent, NotificationEvent, FALSE);
    status = FltRegisterFilter(DriverObject, &FilterRegistration, &PendFilterState.Filter);
    if (!NT_SUCCESS(status))
        return status;
    status = FltStartFiltering(PendFilterState.Filter);
    if (!NT_SUCCESS(status))
        FltUnregisterFilter(PendFilterState.Filter);
    return status;
}
