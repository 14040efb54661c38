/* tests/flt/nullfilter.h - what the null minifilter saw. */
#pragma once
#include <fltKernel.h>
typedef struct _NULL_FILTER_STATE {
    PFLT_FILTER Filter;
    ULONG SetupCalls, SetupFlags;
} NULL_FILTER_STATE;
extern NULL_FILTER_STATE NullFilterState;
NTSTATUS nullfilter_DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
