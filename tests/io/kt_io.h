/* tests/io/kt_io.h - the test drivers for the I/O suites: a layered device stack whose
 * bottom device completes at once or pends until a real interrupt's DPC completes it, and
 * whose filters pass IRPs down with configurable completion routines. */
#pragma once
#include "../ktest.h"
#include "../../io/iop.h"

#define KT_IO_VECTOR 0x62 /* device IRQL 6 */

typedef struct _KT_EXT {
    PDEVICE_OBJECT Self, Lower;
    ULONG Index;
    /* bottom device */
    NTSTATUS CompleteStatus;
    ULONG_PTR Information;
    BOOLEAN Pend;          /* mark pending, complete from the DPC of a real interrupt */
    BOOLEAN PendNoMark;    /* (bug) return STATUS_PENDING without marking */
    BOOLEAN MarkNoPend;    /* (bug) mark, then complete and return the status */
    BOOLEAN Cancelable;    /* pended IRPs get a cancel routine and wait for IoCancelIrp */
    PIRP Held;             /* the pended IRP */
    UCHAR FillByte;        /* read data pattern */
    volatile ULONG Creates, Cleanups, Closes, Reads;
    /* filter device */
    BOOLEAN SetRoutine, OnSuccess, OnError, OnCancel, MarkInRoutine, Skip;
    NTSTATUS RoutineReturn;
    PIRP RoutineHeld;      /* set when the routine returned STATUS_MORE_PROCESSING_REQUIRED */
} KT_EXT, *PKT_EXT;

typedef struct _KT_LOG {
    ULONG Index;
    PDEVICE_OBJECT Device;
    KIRQL Irql;
    BOOLEAN PendingReturned;
    CHAR Location;
} KT_LOG;
extern KT_LOG KtLog[32];
extern volatile ULONG KtLogCount;
extern volatile ULONG KtIsrCount, KtDpcCount;

PDRIVER_OBJECT KtIoDriver(void);
PDEVICE_OBJECT KtIoCreateDevice(PCWSTR Name, ULONG Flags);
/* Another driver with one dispatch routine for every major function (created once per name). */
PDRIVER_OBJECT KtIoCreateDriver(PCWSTR Name, PDRIVER_DISPATCH Dispatch);
PDEVICE_OBJECT KtIoCreateDeviceFor(PDRIVER_OBJECT Driver);
/* devs[0] is the bottom; devs[i] attaches to devs[i-1]. */
VOID KtIoBuildStack(ULONG Count, PDEVICE_OBJECT *Devs);
VOID KtIoDestroyStack(ULONG Count, PDEVICE_OBJECT *Devs);
FORCEINLINE PKT_EXT KtExt(PDEVICE_OBJECT d) { return d->DeviceExtension; }
VOID KtLogReset(void);
VOID KtLogAdd(ULONG Index, PDEVICE_OBJECT Device, PIRP Irp);
/* The bottom device's pended IRP completes when the device "interrupts". */
VOID KtIoRaiseInterrupt(PDEVICE_OBJECT Bottom);
IO_COMPLETION_ROUTINE KtIoFilterCompletion;
