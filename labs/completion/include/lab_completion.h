/* labs/completion/include/lab_completion.h - the interface of the completion-routine lab's
 * filter: its control device and the IOCTL that returns what its completion routines counted. */
#pragma once
#include <ntddk.h>

#define LAB_COUNTER_DEVICE L"\\Device\\LabCounter"
#define LAB_COUNTER_DRIVER L"\\FileSystem\\Filters\\LabCounter"
#define LAB_COUNTER_TAG 'tnCL'

/* What the completion routines saw, for the callers' reads and writes that passed through
 * the filter. Paging I/O (Irp->Flags & IRP_PAGING_IO: the cache manager filling its cache or
 * writing it back) is not counted: those bytes were already counted when the caller's cached
 * request went by. */
typedef struct _LAB_COUNTS {
    ULONG64 BytesRead;       /* sum of IoStatus.Information of successful reads */
    ULONG64 BytesWritten;    /* the same for writes */
    ULONG64 ReadsCompleted;  /* read completions seen, successful or not */
    ULONG64 WritesCompleted;
} LAB_COUNTS, *PLAB_COUNTS;

/* METHOD_BUFFERED; output: LAB_COUNTS. */
#define IOCTL_LAB_GET_COUNTS CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
