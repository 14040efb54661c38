/* io/tracedump.c - the IRP trace for people and for tools: a console listing with names, and
 * JSON lines on the host's trace channel (debugcon port 0x402) that tools/irpjourney.py draws. */
#include "iop.h"
#include <ntstrsafe.h>
#include "../kernel/hal/hal.h"

static const PCSTR IopMajorNames[IRP_MJ_MAXIMUM_FUNCTION + 1] = {
    "IRP_MJ_CREATE", "IRP_MJ_CREATE_NAMED_PIPE", "IRP_MJ_CLOSE", "IRP_MJ_READ", "IRP_MJ_WRITE",
    "IRP_MJ_QUERY_INFORMATION", "IRP_MJ_SET_INFORMATION", "IRP_MJ_QUERY_EA", "IRP_MJ_SET_EA",
    "IRP_MJ_FLUSH_BUFFERS", "IRP_MJ_QUERY_VOLUME_INFORMATION", "IRP_MJ_SET_VOLUME_INFORMATION",
    "IRP_MJ_DIRECTORY_CONTROL", "IRP_MJ_FILE_SYSTEM_CONTROL", "IRP_MJ_DEVICE_CONTROL",
    "IRP_MJ_INTERNAL_DEVICE_CONTROL", "IRP_MJ_SHUTDOWN", "IRP_MJ_LOCK_CONTROL", "IRP_MJ_CLEANUP",
    "IRP_MJ_CREATE_MAILSLOT", "IRP_MJ_QUERY_SECURITY", "IRP_MJ_SET_SECURITY", "IRP_MJ_POWER",
    "IRP_MJ_SYSTEM_CONTROL", "IRP_MJ_DEVICE_CHANGE", "IRP_MJ_QUERY_QUOTA", "IRP_MJ_SET_QUOTA", "IRP_MJ_PNP",
};
static const PCSTR IopKindNames[] = { "?", "dispatch", "completion", "complete", "isr", "dpc" };

/* IRQL: any. */
PCSTR IoGetMajorFunctionName(UCHAR MajorFunction)
{
    return MajorFunction <= IRP_MJ_MAXIMUM_FUNCTION ? IopMajorNames[MajorFunction] : "IRP_MJ_?";
}

static PCSTR IopKindName(UCHAR Kind) { return IopKindNames[Kind < ARRAYSIZE(IopKindNames) ? Kind : 0]; }

static PCSTR IopRoutineName(PVOID Routine)
{
    ULONG64 off;
    PCSTR s = Routine ? KiLookupSymbol((ULONG64)Routine, &off) : NULL;
    return s ? s : "-";
}

/* The last part of a driver's name: \FileSystem\Filters\IrqFilter -> IrqFilter. */
static PCSTR IopShortDriverName(PDRIVER_OBJECT Driver)
{
    PCSTR n = Driver ? IopDriverNameA(Driver) : "-", s = n;
    for (PCSTR p = n; *p; p++)
        if (*p == '\\')
            s = p + 1;
    return s;
}

/* IRQL: any. Prints the last records in the order they were logged (each when its routine
 * returned), with names. Every line stays under 100 columns. */
VOID IoDumpIrpTrace(ULONG Last)
{
    static IO_TRACE_RECORD r[16];
    ULONG end = IoGetIrpTraceSequence(), from = end > Last ? end - Last : 0;
    DbgPrint("IRP trace (%u records, each logged when its routine returned):\n", end - from);
    DbgPrint("    seq kind       major        irp              loc driver    routine      IRQL status\n");
    for (ULONG n; (n = IoQueryIrpTrace(NULL, from, r, ARRAYSIZE(r))) != 0; from = r[n - 1].Sequence + 1) {
        for (ULONG i = 0; i < n; i++) {
            PCSTR st = RtlNtStatusName(r[i].Status);
            BOOLEAN io = r[i].Kind <= IO_TRACE_COMPLETE_REQUEST;
            DbgPrint("  %5u %-10s %-12.12s %p %3d %-9.9s %-18.18s %u %s%s\n", r[i].Sequence, IopKindName(r[i].Kind),
                     io ? IoGetMajorFunctionName(r[i].MajorFunction) + 7 : "-", r[i].Irp, r[i].Location,
                     io ? IopShortDriverName(r[i].DriverObject) : "kernel", IopRoutineName(r[i].Routine), r[i].Irql,
                     st ? st + 7 : "?", r[i].PendingReturned ? " pending" : "");
        }
    }
}

/* Appends to a JSON line; Text is escaped as a JSON string when Quote. */
typedef struct { CHAR Buf[512]; ULONG Len; } IOP_LINE;
static VOID IopPut(IOP_LINE *L, PCSTR Text, BOOLEAN Quote)
{
    if (Quote && L->Len < sizeof(L->Buf) - 1)
        L->Buf[L->Len++] = '"';
    for (; *Text && L->Len < sizeof(L->Buf) - 3; Text++) {
        if (Quote && (*Text == '\\' || *Text == '"'))
            L->Buf[L->Len++] = '\\';
        L->Buf[L->Len++] = *Text;
    }
    if (Quote && L->Len < sizeof(L->Buf) - 1)
        L->Buf[L->Len++] = '"';
}

static VOID IopPutField(IOP_LINE *L, PCSTR Key, PCSTR Value, BOOLEAN Quote)
{
    IopPut(L, L->Len ? ", " : "{", FALSE);
    IopPut(L, Key, TRUE);
    IopPut(L, ": ", FALSE);
    IopPut(L, Value, Quote);
}

/* Digits of V in Base (10 or 16) into Out, "0x" first for hex; no formatting library, so the
 * trace does not depend on which header declares the printf family. */
static VOID IopNumber(PCHAR Out, ULONG64 V, ULONG Base, BOOLEAN Negative)
{
    CHAR d[24];
    ULONG n = 0, o = 0;
    do
        d[n++] = "0123456789abcdef"[V % Base];
    while ((V /= Base) != 0);
    if (Negative)
        Out[o++] = '-';
    if (Base == 16)
        Out[o++] = '0', Out[o++] = 'x';
    while (n)
        Out[o++] = d[--n];
    Out[o] = 0;
}

static VOID IopExportRecord(const IO_TRACE_RECORD *r)
{
    static IOP_LINE l;
    CHAR num[24];
    PCSTR st = RtlNtStatusName(r->Status);
    l.Len = 0;
#define NUM(key, v) (IopNumber(num, (v) < 0 ? -(LONG64)(v) : (v), 10, (v) < 0), IopPutField(&l, key, num, FALSE))
#define HEX(key, v) (IopNumber(num, (ULONG64)(v), 16, FALSE), IopPutField(&l, key, num, TRUE))
    NUM("seq", (LONG64)r->Sequence);
    NUM("called_at", (LONG64)r->CalledAt);
    IopPutField(&l, "kind", IopKindName(r->Kind), TRUE);
    NUM("irql", (LONG64)r->Irql);
    IopPutField(&l, "routine", IopRoutineName(r->Routine), TRUE);
    if (r->Kind <= IO_TRACE_COMPLETE_REQUEST) {
        HEX("irp", r->Irp);
        if (r->MasterIrp)
            HEX("master", r->MasterIrp);
        IopPutField(&l, "major", IoGetMajorFunctionName(r->MajorFunction), TRUE);
        NUM("location", (LONG64)r->Location);
        HEX("device", r->DeviceObject);
        IopPutField(&l, "driver", r->DriverObject ? IopDriverNameA(r->DriverObject) : "-", TRUE);
        HEX("status", (ULONG)r->Status);
        IopPutField(&l, "status_name", st ? st : "?", TRUE);
        IopPutField(&l, "pending", r->PendingReturned ? "true" : "false", FALSE);
    }
    IopPut(&l, "}\n", FALSE);
    HalTraceChannelWrite(l.Buf, l.Len);
#undef NUM
#undef HEX
}

/* IRQL: PASSIVE_LEVEL (it takes a while). One header line, then one line per record. */
VOID IoExportIrpTrace(ULONG FromSequence)
{
    static IO_TRACE_RECORD r[16];
    static const CHAR header[] = "{\"trace\": \"irqlab-irp\", \"version\": 1}\n";
    HalTraceChannelWrite(header, sizeof(header) - 1);
    for (ULONG n; (n = IoQueryIrpTrace(NULL, FromSequence, r, ARRAYSIZE(r))) != 0; FromSequence = r[n - 1].Sequence + 1)
        for (ULONG i = 0; i < n; i++)
            IopExportRecord(&r[i]);
}
