/* tests/flt/safefilter.h - what the safe-post minifilter saw. */
#pragma once
#include <fltKernel.h>

typedef struct _SAFE_FILTER_STATE {
    PFLT_FILTER Filter;
    ULONG Posts[3];             /* read post callbacks by IRQL: PASSIVE, APC, DISPATCH */
    ULONG SafeCalls;            /* safe callbacks run */
    KIRQL SafeIrql;
    ULONG64 BytesRead;          /* counted in the streams' contexts, summed at cleanup */
    ULONG ContextsCreated, ContextsCleanedUp, SharedContextHits;
    WCHAR LastName[64];         /* the final component FltGetFileNameInformation gave */
    NTSTATUS LastNameStatus;
} SAFE_FILTER_STATE;
extern SAFE_FILTER_STATE SafeFilterState;
NTSTATUS safefilter_DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
