/* wdm/rtl.h - run-time library: memory and string helpers, list macros, debug print.
 * All routines here are callable at any IRQL unless stated otherwise. */
#pragma once
#include <ntdef.h>

void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#define RtlCopyMemory(d, s, n) memcpy((d), (s), (n))
#define RtlMoveMemory(d, s, n) memmove((d), (s), (n))
#define RtlZeroMemory(d, n) memset((d), 0, (n))
#define RtlFillMemory(d, n, c) memset((d), (c), (n))
#define RtlEqualMemory(a, b, n) (memcmp((a), (b), (n)) == 0)
SIZE_T RtlCompareMemory(const VOID *a, const VOID *b, SIZE_T n);

VOID RtlInitUnicodeString(PUNICODE_STRING Dest, PCWSTR Source);
BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING a, PCUNICODE_STRING b, BOOLEAN CaseInsensitive);
WCHAR RtlUpcaseUnicodeChar(WCHAR c);

/* DbgPrint: printf subset (%d %i %u %x %X %p %s %c %ws %wZ %%, with 0/width/l/ll/z). */
ULONG DbgPrint(PCSTR Format, ...) __attribute__((format(printf, 1, 2)));
int RtlStringCbPrintfA(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

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
DECLSPEC_NORETURN VOID RtlAssert(PCSTR Assertion, PCSTR File, ULONG Line, PCSTR Message);

/* IRQLab: the name of an NTSTATUS ("STATUS_PENDING"), or NULL if it has none here. Any IRQL. */
PCSTR RtlNtStatusName(NTSTATUS Status);
