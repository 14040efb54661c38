/* tests/flt/pendfilter.h - the pending minifilter's counters, and the test's hold on it. */
#pragma once
#include <fltKernel.h>

typedef struct _PEND_FILTER_STATE {
    PFLT_FILTER Filter;
    ULONG Pended, Resumed, Posts, FastIoDisallowed;
    KIRQL PreIrql, ResumeIrql, PostIrql;
    PKTHREAD PreThread, ResumeThread;
    BOOLEAN Hold;               /* the test keeps the next pended write until PendFilterRelease */
    PFLT_CALLBACK_DATA Held;
    KEVENT HeldEvent;           /* set when a write is being held */
} PEND_FILTER_STATE;
extern PEND_FILTER_STATE PendFilterState;
NTSTATUS pendfilter_DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
VOID PendFilterRelease(void);
