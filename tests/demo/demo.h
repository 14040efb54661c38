/* tests/demo/demo.h - what the `make run` demo sections share. The demo is not the kernel: it
 * drives the kernel and its drivers and prints what a person watching should see. */
#pragma once
#include "../fs/fsutil.h"

VOID DemoIrql(void);      /* irqldemo.c: IRQL is CR8, DPCs are a software interrupt */
VOID DemoThreads(void);   /* threaddemo.c: no switch at DISPATCH_LEVEL */
BOOLEAN DemoMount(void);  /* fsdemo.c: mounts, creates what the workload needs */
VOID DemoJourney(PCWSTR Path, LONGLONG Offset); /* journey.c: one read, in reading order */
VOID DemoUnmount(void);   /* unmountdemo.c */
VOID DemoFilterManager(void); /* fltdemo.c: a minifilter beside the legacy filter */

/* Section heading and the closing sentence on what to notice; both fit in 100 columns. */
VOID DemoSection(PCSTR Title);
VOID DemoNotice(PCSTR Sentence);
PCSTR DemoStatus(NTSTATUS Status); /* "STATUS_SUCCESS" or "0x%08x" */
