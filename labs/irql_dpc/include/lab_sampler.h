/* labs/irql_dpc/include/lab_sampler.h - the interface of the IRQL-and-DPC lab's sampler: its
 * device, IOCTLs, the snapshot a DPC fills, and the device extension the grader inspects. */
#pragma once
#include <ntddk.h>

#define LAB_SAMPLER_DEVICE L"\\Device\\LabSampler"
#define LAB_SAMPLER_TAG 'pmSL'
#define LAB_SAMPLES 256 /* the ring: sample number g lives in Samples[g % LAB_SAMPLES] */

/* One tick of the periodic timer, written by the DPC. */
typedef struct _LAB_SAMPLE {
    ULONG64 Sequence;       /* the Generation this sample was taken at (1, 2, 3 ...) */
    ULONG64 InterruptTime;  /* KeQueryInterruptTime() when the DPC ran */
    ULONG Irql;             /* KeGetCurrentIrql() in the DPC */
    ULONG InDpc;            /* KeIsExecutingDpc() in the DPC */
} LAB_SAMPLE, *PLAB_SAMPLE;

/* The whole state the DPC updates and IOCTL_LAB_GET_SAMPLES returns: consistent means that
 * Tail == Generation, for every g in (Generation - LAB_SAMPLES, Generation], g >= 1,
 * Samples[g % LAB_SAMPLES] has Sequence == g, and no slot holds a Sequence above Generation. */
typedef struct _LAB_SNAPSHOT {
    ULONG64 Generation;     /* samples taken since IOCTL_LAB_START */
    LAB_SAMPLE Samples[LAB_SAMPLES];
    ULONG64 Tail;           /* the DPC sets it to Generation after writing the sample */
} LAB_SNAPSHOT, *PLAB_SNAPSHOT;

/* The sampler device's extension (the layout is fixed: the grader looks at the timer and
 * the lock). */
typedef struct _LAB_SAMPLER_EXTENSION {
    KTIMER Timer;           /* periodic, with Dpc */
    KDPC Dpc;               /* LabSamplerDpc, Context = this extension */
    KSPIN_LOCK Lock;        /* guards *Data, shared by the DPC and the IOCTL */
    PLAB_SNAPSHOT Data;     /* allocated in DriverEntry */
    BOOLEAN Running;
} LAB_SAMPLER_EXTENSION, *PLAB_SAMPLER_EXTENSION;

/* METHOD_BUFFERED. START input: ULONG period in milliseconds (1..1000); it restarts the
 * sampling from Generation 0. STOP: no buffers. GET_SAMPLES output: LAB_SNAPSHOT. */
#define IOCTL_LAB_START CTL_CODE(FILE_DEVICE_UNKNOWN, 0x810, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_LAB_STOP CTL_CODE(FILE_DEVICE_UNKNOWN, 0x811, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_LAB_GET_SAMPLES CTL_CODE(FILE_DEVICE_UNKNOWN, 0x812, METHOD_BUFFERED, FILE_ANY_ACCESS)
