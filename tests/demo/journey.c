/* tests/demo/journey.c - one read traced down and up the stack, printed in the order things
 * happened (each call where it began, its return where it ended), from the IRP trace. */
#include "demo.h"
#include "../../kernel/ke/ki.h"
#include <ntstrsafe.h>

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
    return n ? buf : "creator's"; /* a routine set with no location of its own */
}

/* A call starts just before the first record logged inside it; among calls starting at the
 * same point the outer one (logged later) comes first. Everything else sits at its own number. */
static LONG64 DemopKey(const IO_TRACE_RECORD *R, BOOLEAN Return)
{
    if (Return || R->Kind == IO_TRACE_COMPLETE_REQUEST)
        return (LONG64)R->Sequence * 4096 + 2048;
    return (LONG64)R->CalledAt * 4096 + 1024 - (LONG64)(R->Sequence - R->CalledAt);
}

/* console=80 (make run DISPLAY=1, for the VGA window) lays the trace out for 80 columns: IRPs
 * go by the last four hex digits of their address (unique among a handful in flight), and
 * the indent gives way sooner. */
static BOOLEAN DemopNarrow(void)
{
    PCSTR c = KiGetBootOption("console");
    return c && c[0] == '8';
}

static PCSTR DemopIrp(PVOID Irp)
{
    static CHAR buf[2][24];
    static ULONG next;
    PCHAR b = buf[next++ & 1];
    if (DemopNarrow())
        RtlStringCbPrintfA(b, sizeof(buf[0]), "..%04x", (ULONG)((ULONG_PTR)Irp & 0xFFFF));
    else
        RtlStringCbPrintfA(b, sizeof(buf[0]), "%p", Irp);
    return b;
}

/* One step: "IRQL  <indent>text". The indent shows the nesting, two columns a level, but gives
 * way to the text so that no line reaches the console's width (100 columns, or 80). */
static VOID DemopLine(KIRQL Irql, ULONG Depth, PCSTR Text)
{
    static CHAR pad[40];
    ULONG width = DemopNarrow() ? 80 : 100;
    ULONG len = (ULONG)strlen(Text), room = len < width - 8 ? width - 8 - len : 0, n = 2 * Depth, i;
    if (n > room)
        n = room;
    if (n > sizeof(pad) - 1)
        n = sizeof(pad) - 1;
    for (i = 0; i < n; i++)
        pad[i] = ' ';
    pad[i] = 0;
    DbgPrint("  %u  %s%s\n", Irql, pad, Text);
}

static VOID DemopPrintEvent(const DEMOP_EVENT *E, ULONG Depth)
{
    static CHAR t[160];
    const IO_TRACE_RECORD *r = E->R;
    PCSTR st = RtlNtStatusName(r->Status);
    if (E->Return) {
        RtlStringCbPrintfA(t, sizeof(t), "<- %s returns %s", DemopSym(r->Routine), st ? st : "?");
        DemopLine(r->Irql, Depth, t);
        return;
    }
    switch (r->Kind) {
    case IO_TRACE_DISPATCH:
        RtlStringCbPrintfA(t, sizeof(t), "-> %s %s %s irp %s loc %d", DemopDriver(r), DemopSym(r->Routine),
                           IoGetMajorFunctionName(r->MajorFunction), DemopIrp(r->Irp), r->Location);
        DemopLine(r->Irql, Depth, t);
        if (r->MasterIrp) {
            RtlStringCbPrintfA(t, sizeof(t), "   (an associated IRP of %s)", DemopIrp(r->MasterIrp));
            DemopLine(r->Irql, Depth, t);
        }
        return;
    case IO_TRACE_COMPLETION:
        RtlStringCbPrintfA(t, sizeof(t), "-> %s completion %s irp %s%s", DemopDriver(r), DemopSym(r->Routine),
                           DemopIrp(r->Irp), r->PendingReturned ? " PendingReturned" : "");
        break;
    case IO_TRACE_COMPLETE_REQUEST:
        RtlStringCbPrintfA(t, sizeof(t), DemopNarrow() ? "IoCompleteRequest(irp %s) loc %d: %s"
                                                       : "IoCompleteRequest(irp %s) at location %d, status %s",
                           DemopIrp(r->Irp), r->Location, st ? st : "?");
        break;
    case IO_TRACE_ISR:
        RtlStringCbPrintfA(t, sizeof(t), "-> interrupt: ISR %s at IRQL %u (the disk's DIRQL)", DemopSym(r->Routine),
                           r->Irql);
        break;
    default:
        RtlStringCbPrintfA(t, sizeof(t), "-> DPC %s at IRQL %u", DemopSym(r->Routine), r->Irql);
        break;
    }
    DemopLine(r->Irql, Depth, t);
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
    /* What to notice depends on the path the read took: straight to the disk, or through a
     * paging read of the cache manager (a second IRP from the top of the stack, not associated). */
    PIRP user = NULL, paging = NULL;
    for (ULONG i = 0; i < e; i++)
        if (!ev[i].Return && ev[i].R->Kind == IO_TRACE_DISPATCH && !ev[i].R->MasterIrp) {
            if (!user)
                user = ev[i].R->Irp;
            else if (ev[i].R->Irp != user && !paging)
                paging = ev[i].R->Irp;
        }
    if (paging)
        DemoNotice("the read missed the cache: the cache manager sent a paging read down the same\n"
                   "  stack; FAT split it into an associated IRP, and the disk's DPC completed both at\n"
                   "  DISPATCH_LEVEL before the caller's read was served from the cache.");
    else
        DemoNotice("FAT split the read into an associated IRP; the disk's DPC completed it, and the\n"
                   "  caller's IRP with it, at DISPATCH_LEVEL; the reading thread got the data by an APC.");
}
