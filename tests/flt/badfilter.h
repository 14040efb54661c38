/* tests/flt/badfilter.h - a minifilter with the bugs Filter Verifier and the Filter Manager catch. */
#pragma once
#include <fltKernel.h>

typedef enum _BAD_FILTER_BUG {
    BadNone,
    BadNoPostCallback,      /* pre returns FLT_PREOP_SUCCESS_WITH_CALLBACK, no post registered */
    BadWaitInPost,          /* the read post callback waits on an event at DISPATCH_LEVEL */
    BadLeakContext,         /* a stream context is referenced and never released */
} BAD_FILTER_BUG;

typedef struct _BAD_FILTER_STATE {
    PFLT_FILTER Filter;
    BAD_FILTER_BUG Bug;
    KEVENT Event;
} BAD_FILTER_STATE;
extern BAD_FILTER_STATE BadFilterState;
NTSTATUS badfilter_DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
