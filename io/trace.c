/* io/trace.c - the IRP trace: a ring of records in nonpaged memory, one per dispatch call,
 * completion-routine call and IoCompleteRequest, written at any IRQL <= DISPATCH_LEVEL. */
#include "iop.h"

#define IOP_TRACE_SIZE 1024
static IO_TRACE_RECORD IopTraceRing[IOP_TRACE_SIZE];
static volatile ULONG IopTraceNext;

/* IRQL: any. Interrupts are held off only while the slot is claimed and filled. Neither the
 * IRP nor the device is read: by the time a routine returns either may be gone (a close can
 * delete the volume device it was sent to), so the caller passes the driver it saw before. */
VOID IopTrace(UCHAR Kind, PIRP Irp, PDEVICE_OBJECT Device, PDRIVER_OBJECT Driver, UCHAR Major, CHAR Location, BOOLEAN Pending,
              PVOID Routine, NTSTATUS Status)
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
    if (flags & 0x200)
        _enable();
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

/* IRQL: any. Prints the last records, newest last. */
VOID IoDumpIrpTrace(ULONG Last)
{
    static const PCSTR kinds[] = { "?", "dispatch", "completion", "complete" };
    ULONG end = IopTraceNext, start = end > Last ? end - Last : 0;
    if (end - start > IOP_TRACE_SIZE)
        start = end - IOP_TRACE_SIZE;
    DbgPrint("IRP trace (%u records):\n", end - start);
    for (ULONG s = start; s != end; s++) {
        PIO_TRACE_RECORD r = &IopTraceRing[s % IOP_TRACE_SIZE];
        ULONG64 off = 0;
        PCSTR sym = r->Routine ? KiLookupSymbol((ULONG64)r->Routine, &off) : NULL;
        DbgPrint("  %5u %-10s irp %p loc %d mj 0x%02x %s %s irql %u status 0x%08x%s\n", r->Sequence,
                 kinds[r->Kind < 4 ? r->Kind : 0], r->Irp, r->Location, r->MajorFunction,
                 IopDriverNameA(r->DriverObject), sym ? sym : "-", r->Irql, (ULONG)r->Status,
                 r->PendingReturned ? " pending" : "");
    }
}
