/* tests/flt/demofilter.c - the minifilter `make run` loads beside the legacy filter: it notes
 * the IRQL its read callbacks run at, nothing more, so the demo can show both models at work. */
#include <fltKernel.h>
#include "demofilter.h"

DEMO_FILTER_STATE DemoFilterState;

DRIVER_INITIALIZE DriverEntry;
static FLT_PRE_OPERATION_CALLBACK DemoPreRead;
static FLT_POST_OPERATION_CALLBACK DemoPostRead;
static FLT_FILTER_UNLOAD_CALLBACK DemoUnload;

static const FLT_OPERATION_REGISTRATION Callbacks[] = {
    { IRP_MJ_READ, 0, DemoPreRead, DemoPostRead, NULL },
    { IRP_MJ_OPERATION_END }
};

static const FLT_REGISTRATION FilterRegistration = {
    .Size = sizeof(FLT_REGISTRATION),
    .Version = FLT_REGISTRATION_VERSION,
    .OperationRegistration = Callbacks,
    .FilterUnloadCallback = DemoUnload,
};

static FLT_PREOP_CALLBACK_STATUS DemoPreRead(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects,
                                             PVOID *CompletionContext)
{
    UNREFERENCED_PARAMETER(Data);
    UNREFERENCED_PARAMETER(FltObjects);
    UNREFERENCED_PARAMETER(CompletionContext);
    DemoFilterState.PreReads++;
    DemoFilterState.PreIrql = KeGetCurrentIrql();
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
}

/* IRQL <= DISPATCH_LEVEL, arbitrary thread: where the legacy filter's completion routine runs. */
static FLT_POSTOP_CALLBACK_STATUS DemoPostRead(PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects,
                                               PVOID CompletionContext, FLT_POST_OPERATION_FLAGS Flags)
{
    UNREFERENCED_PARAMETER(FltObjects);
    UNREFERENCED_PARAMETER(CompletionContext);
    UNREFERENCED_PARAMETER(Flags);
    DemoFilterState.PostReads++;
    DemoFilterState.PostIrql = KeGetCurrentIrql();
    DemoFilterState.LastBytes = Data->IoStatus.Information;
    return FLT_POSTOP_FINISHED_PROCESSING;
}

static NTSTATUS DemoUnload(FLT_FILTER_UNLOAD_FLAGS Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    FltUnregisterFilter(DemoFilterState.Filter);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status;
    UNREFERENCED_PARAMETER(RegistryPath);
    status = FltRegisterFilter(DriverObject, &FilterRegistration, &DemoFilterState.Filter);
    if (NT_SUCCESS(status)) {
        status = FltStartFiltering(DemoFilterState.Filter);
        if (!NT_SUCCESS(status))
            FltUnregisterFilter(DemoFilterState.Filter);
    }
    return status;
}
