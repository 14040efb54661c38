/* io/trace.c - the IRP trace: a ring of records in nonpaged memory, one per dispatch call,
 * completion-routine call, IoCompleteRequest, ISR and DPC, written at any IRQL. */
#include "iop.h"

#define IOP_TRACE_SIZE 1024
static IO_TRACE_RECORD IopTraceRing[IOP_TRACE_SIZE];
static volatile ULONG IopTraceNext;
/* On unless the boot said iotrace=off: the demo, the labs' graders and gdb read the ring. The
 * inline IoCallDriver (wdm/io.h) reads it too: while it is set, calls take the checked path. */
volatile BOOLEAN IopIrpTracing = TRUE;

/* IRQL: any. */
BOOLEAN IoSetIrpTracing(BOOLEAN On)
{
    BOOLEAN was = IopIrpTracing;
    IopIrpTracing = On;
    return was;
}

/* IRQL: any. Read before the routine is called, while the IRP surely exists. */
IOP_TRACE_BEGIN IopTraceBeginSlow(PIRP Irp)
{
    IOP_TRACE_BEGIN b = { IopTraceNext, NULL };
    if (Irp && (Irp->Flags & IRP_ASSOCIATED_IRP))
        b.Master = Irp->AssociatedIrp.MasterIrp;
    return b;
}

/* IRQL: any. Interrupts are held off only while the slot is claimed and filled. Neither the
 * IRP nor the device is read: by the time a routine returns either may be gone (a close can
 * delete the volume device it was sent to), so the caller passes the driver it saw before. */
VOID IopTraceSlow(UCHAR Kind, PIRP Irp, PDEVICE_OBJECT Device, PDRIVER_OBJECT Driver, UCHAR Major, CHAR Location,
                  BOOLEAN Pending, PVOID Routine, NTSTATUS Status, IOP_TRACE_BEGIN Begin)
{
    ULONG64 flags = __readeflags();
    _disable();
    ULONG seq = IopTraceNext++;
    PIO_TRACE_RECORD r = &IopTraceRing[seq % IOP_TRACE_SIZE];
    r->Sequence = seq;
    r->Kind = Kind;
    r->MajorFunction = Major;
    r->Irql = KeGetCurrentIrql();
    r->PendingReturned = Pending;
    r->Location = Location;
    r->Irp = Irp;
    r->DeviceObject = Device;
    r->DriverObject = Driver;
    r->Routine = Routine;
    r->Status = Status;
    r->CalledAt = Begin.Sequence;
    r->MasterIrp = Begin.Master;
    if (flags & 0x200)
        _enable();
}

/* The kernel's ISR and DPC spans: IRQL is the ISR's (its SynchronizeIrql) or DISPATCH_LEVEL,
 * read from CR8 inside the span, so the record shows the level the routine really ran at. */
static ULONG IopTraceKernelBegin(void) { return IopTraceNext; }
static VOID IopTraceKernelEnd(UCHAR Kind, PVOID Routine, ULONG Begin)
{
    IOP_TRACE_BEGIN b = { Begin, NULL };
    IopTrace(Kind, NULL, NULL, NULL, 0, 0, FALSE, Routine, STATUS_SUCCESS, b);
}

/* PASSIVE_LEVEL, once from IoInitSystem. */
VOID IopInitializeTrace(void)
{
    if (KiBootOptionHasWord("iotrace", "off"))
        IopIrpTracing = FALSE;
    KiTraceBeginHook = IopTraceKernelBegin;
    KiTraceEndHook = IopTraceKernelEnd;
}

/* IRQL: any. The sequence number the next record will get. */
ULONG IoGetIrpTraceSequence(void) { return IopTraceNext; }

/* IRQL: any. Copies the records for Irp (NULL: all) from sequence FromSequence on. */
ULONG IoQueryIrpTrace(PIRP Irp, ULONG FromSequence, PIO_TRACE_RECORD Records, ULONG Max)
{
    ULONG n = 0, end = IopTraceNext;
    if (end - FromSequence > IOP_TRACE_SIZE)
        FromSequence = end - IOP_TRACE_SIZE;
    for (ULONG s = FromSequence; s != end && n < Max; s++) {
        PIO_TRACE_RECORD r = &IopTraceRing[s % IOP_TRACE_SIZE];
        if (!Irp || r->Irp == Irp)
            Records[n++] = *r;
    }
    return n;
}
