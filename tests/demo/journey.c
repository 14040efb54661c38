/* tests/demo/journey.c - one read traced down and up the stack, printed in the order things
 * happened (each call where it began, its return where it ended), from the IRP trace. */
#include "demo.h"
#include "../../kernel/ke/ki.h"

#define DEMOP_MAX_RECORDS 96
typedef struct { const IO_TRACE_RECORD *R; BOOLEAN Return; LONG64 Key; } DEMOP_EVENT;

static PCSTR DemopSym(PVOID Routine)
{
    ULONG64 off;
    PCSTR s = Routine ? KiLookupSymbol((ULONG64)Routine, &off) : NULL;
    return s ? s : "?";
}

static PCSTR DemopDriver(const IO_TRACE_RECORD *R)
{
    static CHAR buf[40];
    PCWSTR w = R->DriverObject ? R->DriverObject->DriverName.Buffer : NULL;
    ULONG n = R->DriverObject ? R->DriverObject->DriverName.Length / 2 : 0, start = 0, i;
    for (i = 0; i < n; i++)
        if (w[i] == L'\\')
            start = i + 1;
    for (i = 0; start + i < n && i + 1 < sizeof(buf); i++)
        buf[i] = (CHAR)w[start + i];
    buf[i] = 0;
    return n ? buf : "I/O manager";
}

/* A call starts just before the first record logged inside it; among calls starting at the
 * same point the outer one (logged later) comes first. Everything else sits at its own number. */
static LONG64 DemopKey(const IO_TRACE_RECORD *R, BOOLEAN Return)
{
    if (Return || R->Kind == IO_TRACE_COMPLETE_REQUEST)
        return (LONG64)R->Sequence * 4096 + 2048;
    return (LONG64)R->CalledAt * 4096 + 1024 - (LONG64)(R->Sequence - R->CalledAt);
}

static VOID DemopPrintEvent(const DEMOP_EVENT *E, ULONG Depth)
{
    const IO_TRACE_RECORD *r = E->R;
    CHAR pad[32];
    ULONG d = Depth > 14 ? 14 : Depth, i;
    for (i = 0; i < 2 * d; i++)
        pad[i] = ' ';
    pad[i] = 0;
    DbgPrint("  %u  %s", r->Irql, pad);
    if (E->Return) {
        PCSTR st = RtlNtStatusName(r->Status);
        DbgPrint("<- %s returns %s\n", DemopSym(r->Routine), st ? st : "?");
        return;
    }
    switch (r->Kind) {
    case IO_TRACE_DISPATCH:
        DbgPrint("-> %s %s %s irp %p loc %d", DemopDriver(r), DemopSym(r->Routine),
                 IoGetMajorFunctionName(r->MajorFunction), r->Irp, r->Location);
        if (r->MasterIrp)
            DbgPrint("\n  %u  %s   (an associated IRP of %p)", r->Irql, pad, r->MasterIrp);
        DbgPrint("\n");
        break;
    case IO_TRACE_COMPLETION:
        DbgPrint("-> %s completion %s irp %p%s\n", DemopDriver(r), DemopSym(r->Routine), r->Irp,
                 r->PendingReturned ? " PendingReturned" : "");
        break;
    case IO_TRACE_COMPLETE_REQUEST:
        DbgPrint("IoCompleteRequest(irp %p) at location %d, status %s\n", r->Irp, r->Location,
                 RtlNtStatusName(r->Status) ? RtlNtStatusName(r->Status) : "?");
        break;
    case IO_TRACE_ISR:
        DbgPrint("-> interrupt: ISR %s at IRQL %u (the disk's DIRQL)\n", DemopSym(r->Routine), r->Irql);
        break;
    default:
        DbgPrint("-> DPC %s at IRQL %u\n", DemopSym(r->Routine), r->Irql);
        break;
    }
}

/* Reads 512 bytes at Offset of Path and prints the journey, ISR and DPC included. */
VOID DemoJourney(PCWSTR Path, LONGLONG Offset)
{
    static IO_TRACE_RECORD recs[DEMOP_MAX_RECORDS];
    static DEMOP_EVENT ev[2 * DEMOP_MAX_RECORDS];
    static UCHAR buf[512];
    HANDLE h;
    ULONG done, n, e = 0, depth = 0;
    KIRQL isrIrql = 0;
    BOOLEAN sawIsr = FALSE;

    if (!NT_SUCCESS(FsOpen(Path, FILE_OPEN, 0, &h, NULL)))
        return;
    ULONG seq = IoGetIrpTraceSequence();
    NTSTATUS s = FsReadAt(h, Offset, buf, sizeof(buf), &done);
    n = IoQueryIrpTrace(NULL, seq, recs, DEMOP_MAX_RECORDS);
    ZwClose(h);
    for (ULONG i = 0; i < n; i++) {
        ev[e++] = (DEMOP_EVENT){ &recs[i], FALSE, DemopKey(&recs[i], FALSE) };
        if (recs[i].Kind != IO_TRACE_COMPLETE_REQUEST)
            ev[e++] = (DEMOP_EVENT){ &recs[i], TRUE, DemopKey(&recs[i], TRUE) };
        if (recs[i].Kind == IO_TRACE_ISR && !sawIsr)
            sawIsr = TRUE, isrIrql = recs[i].Irql;
    }
    for (ULONG i = 1; i < e; i++) /* insertion sort by key: a handful of events */
        for (ULONG j = i; j > 0 && ev[j - 1].Key > ev[j].Key; j--) {
            DEMOP_EVENT t = ev[j];
            ev[j] = ev[j - 1];
            ev[j - 1] = t;
        }
    DbgPrint("  ZwReadFile of 512 bytes at offset %lld: %s, %u bytes. In the order it happened:\n", Offset,
             DemoStatus(s), done);
    DbgPrint("  IRQL\n");
    for (ULONG i = 0; i < e; i++) {
        if (ev[i].Return && depth)
            depth--;
        DemopPrintEvent(&ev[i], depth);
        if (!ev[i].Return && ev[i].R->Kind != IO_TRACE_COMPLETE_REQUEST)
            depth++;
    }
    DbgPrint("  (The trace logs a call when it returns, so the log itself lists the completions first:\n"
             "  the disk interrupted while its dispatch routine was still running.)\n");
    if (sawIsr)
        DbgPrint("  The disk's ISR ran at IRQL %u, measured (CR8) inside it, before the disk's dispatch\n"
                 "  routine returned; the first column is the IRQL each step measured.\n", isrIrql);
    else
        DbgPrint("  No interrupt in this read: the disk completed it synchronously (ramdisk.sync).\n");
}
