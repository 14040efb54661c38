/* tests/flt/passfilter.h - what the pass-through minifilter counted, for the tests to read. */
#pragma once
#include <fltKernel.h>

typedef struct _PASS_FILTER_STATE {
    PFLT_FILTER Filter;
    ULONG Pre[IRP_MJ_MAXIMUM_FUNCTION + 1], Post[IRP_MJ_MAXIMUM_FUNCTION + 1];
    ULONG PostIrql[IRP_MJ_MAXIMUM_FUNCTION + 1][3];
    ULONG FastIo[IRP_MJ_MAXIMUM_FUNCTION + 1]; /* pre callbacks of fast I/O operations */
    ULONG FastIoPostsAtPassive[IRP_MJ_MAXIMUM_FUNCTION + 1];
    ULONG SetupCalls, SetupFlags, TeardownStartReason, TeardownCompleteReason;
    ULONG Drained, WrongContext;
    BOOLEAN Unloaded;
} PASS_FILTER_STATE;
extern PASS_FILTER_STATE PassFilterState;
NTSTATUS passfilter_DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
