/* tests/flt/demofilter.h - what the demo's minifilter saw of the last read. */
#pragma once
#include <fltKernel.h>
typedef struct _DEMO_FILTER_STATE {
    PFLT_FILTER Filter;
    ULONG PreReads, PostReads;
    KIRQL PreIrql, PostIrql;
    ULONG64 LastBytes;
} DEMO_FILTER_STATE;
extern DEMO_FILTER_STATE DemoFilterState;
NTSTATUS demofilter_DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
