/* labs/verifier_hunt/include/lab_hunt.h - the interface of the Driver Verifier lab's filter:
 * its control device and the statistics its completion routines keep. */
#pragma once
#include <ntddk.h>

#define LAB_HUNT_DEVICE L"\\Device\\LabHunt"
#define LAB_HUNT_DRIVER L"\\FileSystem\\Filters\\LabHunt"
#define LAB_HUNT_TAG 'tnHL'     /* every allocation the driver makes carries it */

typedef struct _LAB_HUNT_STATS {
    ULONG64 Requests[IRP_MJ_MAXIMUM_FUNCTION + 1];    /* seen by the dispatch routines */
    ULONG64 Completions[IRP_MJ_MAXIMUM_FUNCTION + 1]; /* seen by the completion routines */
    ULONG64 BytesRead, BytesWritten;
    ULONG64 WriteLogEntries;                          /* kept by the write completion routine */
} LAB_HUNT_STATS, *PLAB_HUNT_STATS;

/* METHOD_BUFFERED; output: LAB_HUNT_STATS. */
#define IOCTL_LAB_HUNT_STATS CTL_CODE(FILE_DEVICE_UNKNOWN, 0x820, METHOD_BUFFERED, FILE_ANY_ACCESS)
