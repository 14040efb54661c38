/* wdm/rtl.h - run-time library: memory and string helpers, list macros, debug print.
 * All routines here are callable at any IRQL unless stated otherwise. */
#pragma once
#include <ntdef.h>

#include <string.h>

#define RtlCopyMemory(d, s, n) memcpy((d), (s), (n))
#define RtlMoveMemory(d, s, n) memmove((d), (s), (n))
#define RtlZeroMemory(d, n) memset((d), 0, (n))
#define RtlFillMemory(d, n, c) memset((d), (c), (n))
#define RtlCopyBytes RtlCopyMemory
#define RtlZeroBytes RtlZeroMemory
#define RtlFillBytes RtlFillMemory
#define RtlSecureZeroMemory(d, n) memset((d), 0, (n))
#define RtlEqualMemory(a, b, n) (memcmp((a), (b), (n)) == 0)
SIZE_T RtlCompareMemory(const VOID *a, const VOID *b, SIZE_T n);

VOID RtlInitUnicodeString(PUNICODE_STRING Dest, PCWSTR Source);
BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING a, PCUNICODE_STRING b, BOOLEAN CaseInsensitive);
WCHAR RtlUpcaseUnicodeChar(WCHAR c);

/* DbgPrint: printf subset (%d %i %u %x %X %p %s %c %S %ws %wZ %I64x %%, with -/0/width/l/ll/z).
 * No printf format attribute: GCC's checker rejects %wZ and %ws, which DbgPrint implements
 * and drivers use. IRQL: any. */
ULONG DbgPrint(PCSTR Format, ...);
/* DbgPrintEx: printed when Level is DPFLTR_ERROR_LEVEL (or a mask with bit 0), as Windows'
 * default filter does; the boot option `dbgprint=all` prints every level. IRQL: any. */
ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...);
#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3
#define DPFLTR_MASK 0x80000000
#define DPFLTR_SYSTEM_ID 0
#define DPFLTR_DEFAULT_ID 101
#define DPFLTR_IHVVIDEO_ID 74
#define DPFLTR_IHVAUDIO_ID 75
#define DPFLTR_IHVNETWORK_ID 76
#define DPFLTR_IHVDRIVER_ID 77
#define DPFLTR_IHVBUS_ID 78
/* KdPrint((...)) / KdPrintEx((...)): as in a checked (DBG) build, they print. */
#define KdPrint(args) DbgPrint args
#define KdPrintEx(args) DbgPrintEx args
#define KdPrint2(args) DbgPrint args
/* DbgBreakPoint: an int3. With the boot option `kd` (make gdb passes it) the trap stops in
 * KdBreakPointTrap, where the gdb stub holds a breakpoint, and execution continues after the
 * int3; without a debugger it is Windows' KMODE_EXCEPTION_NOT_HANDLED (0x1E) with
 * P1 = 0x80000003 (STATUS_BREAKPOINT). IRQL: any. */
VOID DbgBreakPoint(void);
#define KdBreakPoint() DbgBreakPoint()
#define DbgRaiseAssertionFailure() __asm__ volatile("int $0x2c")
/* IRQLab's own formatter behind DbgPrint, with GCC's format checking, for kernel code that
 * wants a character count back (the ntstrsafe.h routines return NTSTATUS). IRQL: any. */
int RtlpFormatString(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Calendar time. A system time counts 100-ns units since 1601-01-01 00:00 (proleptic
 * Gregorian calendar); Weekday 0 is Sunday. Both routines are callable at any IRQL. */
typedef struct _TIME_FIELDS {
    CSHORT Year;         /* 1601..30827 */
    CSHORT Month;        /* 1..12 */
    CSHORT Day;          /* 1..31 */
    CSHORT Hour;         /* 0..23 */
    CSHORT Minute;       /* 0..59 */
    CSHORT Second;       /* 0..59 */
    CSHORT Milliseconds; /* 0..999 */
    CSHORT Weekday;      /* 0..6, ignored by RtlTimeFieldsToTime */
} TIME_FIELDS, *PTIME_FIELDS;
BOOLEAN RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time);
VOID RtlTimeToTimeFields(PLARGE_INTEGER Time, PTIME_FIELDS TimeFields);

/* Doubly linked lists, as in wdm.h. */
FORCEINLINE VOID InitializeListHead(PLIST_ENTRY h) { h->Flink = h->Blink = h; }
FORCEINLINE BOOLEAN IsListEmpty(const LIST_ENTRY *h) { return h->Flink == h; }
FORCEINLINE BOOLEAN RemoveEntryList(PLIST_ENTRY e)
{
    PLIST_ENTRY f = e->Flink, b = e->Blink;
    b->Flink = f;
    f->Blink = b;
    return f == b;
}
FORCEINLINE PLIST_ENTRY RemoveHeadList(PLIST_ENTRY h)
{
    PLIST_ENTRY e = h->Flink;
    RemoveEntryList(e);
    return e;
}
FORCEINLINE PLIST_ENTRY RemoveTailList(PLIST_ENTRY h)
{
    PLIST_ENTRY e = h->Blink;
    RemoveEntryList(e);
    return e;
}
FORCEINLINE VOID InsertTailList(PLIST_ENTRY h, PLIST_ENTRY e)
{
    PLIST_ENTRY b = h->Blink;
    e->Flink = h;
    e->Blink = b;
    b->Flink = e;
    h->Blink = e;
}
FORCEINLINE VOID InsertHeadList(PLIST_ENTRY h, PLIST_ENTRY e)
{
    PLIST_ENTRY f = h->Flink;
    e->Flink = f;
    e->Blink = h;
    f->Blink = e;
    h->Flink = e;
}

#define ASSERT(e) ((e) ? (void)0 : RtlAssert(#e, __FILE__, __LINE__, NULL))
#define ASSERTMSG(m, e) ((e) ? (void)0 : RtlAssert(#e, __FILE__, __LINE__, (m)))
#define NT_ASSERT(e) ASSERT(e)
#define NT_ASSERTMSG(m, e) ASSERTMSG(m, e)
#define NT_VERIFY(e) ASSERT(e)
#define NT_ANALYSIS_ASSUME(e) ((void)0)
DECLSPEC_NORETURN VOID RtlAssert(PCSTR Assertion, PCSTR File, ULONG Line, PCSTR Message);

/* IRQLab: the name of an NTSTATUS ("STATUS_PENDING"), or NULL if it has none here. Any IRQL. */
PCSTR RtlNtStatusName(NTSTATUS Status);
