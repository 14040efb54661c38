/* tests/flt/nullfilter.c - the smallest minifilter: it registers, starts filtering with no
 * callbacks at all, and unregisters when it is unloaded. */
#include <fltKernel.h>
#include "nullfilter.h"

NULL_FILTER_STATE NullFilterState;

DRIVER_INITIALIZE DriverEntry;
static FLT_FILTER_UNLOAD_CALLBACK NullUnload;
static FLT_INSTANCE_SETUP_CALLBACK NullInstanceSetup;

static const FLT_REGISTRATION FilterRegistration = {
    .Size = sizeof(FLT_REGISTRATION),
    .Version = FLT_REGISTRATION_VERSION,
    .FilterUnloadCallback = NullUnload,
    .InstanceSetupCallback = NullInstanceSetup,
};

static NTSTATUS NullInstanceSetup(PCFLT_RELATED_OBJECTS FltObjects, FLT_INSTANCE_SETUP_FLAGS Flags,
                                  DEVICE_TYPE VolumeDeviceType, FLT_FILESYSTEM_TYPE VolumeFilesystemType)
{
    UNREFERENCED_PARAMETER(FltObjects);
    UNREFERENCED_PARAMETER(VolumeDeviceType);
    UNREFERENCED_PARAMETER(VolumeFilesystemType);
    NullFilterState.SetupCalls++;
    NullFilterState.SetupFlags = Flags;
    return STATUS_SUCCESS;
}

static NTSTATUS NullUnload(FLT_FILTER_UNLOAD_FLAGS Flags)
{
    UNREFERENCED_PARAMETER(Flags);
    FltUnregisterFilter(NullFilterState.Filter);
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status;
    UNREFERENCED_PARAMETER(RegistryPath);
    status = FltRegisterFilter(DriverObject, &FilterRegistration, &NullFilterState.Filter);
    if (NT_SUCCESS(status)) {
        status = FltStartFiltering(NullFilterState.Filter);
        if (!NT_SUCCESS(status))
            FltUnregisterFilter(NullFilterState.Filter);
    }
    return status;
}
