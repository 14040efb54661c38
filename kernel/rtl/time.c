/* rtl/time.c - conversion between a system time (100-ns units since 1601-01-01) and its
 * calendar fields, Gregorian leap rules throughout. Callable at any IRQL. */
#include <ntddk.h>

#define RTLP_TICKS_PER_MS 10000ULL
#define RTLP_TICKS_PER_DAY 864000000000ULL
#define RTLP_DAYS_PER_400_YEARS 146097
#define RTLP_DAYS_PER_100_YEARS 36524 /* a century whose last year is not a leap year */
#define RTLP_DAYS_PER_4_YEARS 1461

static const USHORT RtlpDaysBeforeMonth[2][13] = {
    { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365 },
    { 0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366 },
};

static BOOLEAN RtlpIsLeapYear(ULONG Year)
{
    return Year % 4 == 0 && (Year % 100 != 0 || Year % 400 == 0);
}

/* Any IRQL. FALSE, and *Time untouched, when a field is out of range, including a day the
 * month does not have (February 29 of a non-leap year). Weekday is not consulted. */
BOOLEAN RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time)
{
    const TIME_FIELDS *f = TimeFields;
    if (f->Year < 1601 || f->Year > 30827 || f->Month < 1 || f->Month > 12 || f->Day < 1 || f->Hour < 0 ||
        f->Hour > 23 || f->Minute < 0 || f->Minute > 59 || f->Second < 0 || f->Second > 59 ||
        f->Milliseconds < 0 || f->Milliseconds > 999)
        return FALSE;
    const USHORT *before = RtlpDaysBeforeMonth[RtlpIsLeapYear((ULONG)f->Year)];
    if (f->Day > before[f->Month] - before[f->Month - 1])
        return FALSE;
    ULONG64 y = (ULONG64)f->Year - 1601;
    ULONG64 days = y * 365 + y / 4 - y / 100 + y / 400 + before[f->Month - 1] + (ULONG64)f->Day - 1;
    ULONG64 ms = (((ULONG64)f->Hour * 60 + (ULONG64)f->Minute) * 60 + (ULONG64)f->Second) * 1000 +
                 (ULONG64)f->Milliseconds;
    Time->QuadPart = (LONGLONG)(days * RTLP_TICKS_PER_DAY + ms * RTLP_TICKS_PER_MS);
    return TRUE;
}

/* Any IRQL. A negative time lies before 1601, which TIME_FIELDS cannot express: it is taken
 * as 1601-01-01 00:00:00.000. Sub-millisecond ticks are dropped (truncated). */
VOID RtlTimeToTimeFields(PLARGE_INTEGER Time, PTIME_FIELDS TimeFields)
{
    ULONG64 t = Time->QuadPart < 0 ? 0 : (ULONG64)Time->QuadPart;
    ULONG64 days = t / RTLP_TICKS_PER_DAY;
    ULONG64 ms = (t % RTLP_TICKS_PER_DAY) / RTLP_TICKS_PER_MS;

    /* 1601-01-01 was a Monday and begins a 400-year cycle, whose last year (2000, 2400...)
     * is the one century year that is leap: hence the clamps to 3 on the last day. */
    TimeFields->Weekday = (CSHORT)((days + 1) % 7);
    ULONG64 c400 = days / RTLP_DAYS_PER_400_YEARS, d = days % RTLP_DAYS_PER_400_YEARS;
    ULONG64 c100 = d / RTLP_DAYS_PER_100_YEARS;
    if (c100 == 4)
        c100 = 3;
    d -= c100 * RTLP_DAYS_PER_100_YEARS;
    ULONG64 c4 = d / RTLP_DAYS_PER_4_YEARS;
    d -= c4 * RTLP_DAYS_PER_4_YEARS;
    ULONG64 y1 = d / 365;
    if (y1 == 4)
        y1 = 3;
    d -= y1 * 365;
    ULONG year = (ULONG)(1601 + c400 * 400 + c100 * 100 + c4 * 4 + y1);
    const USHORT *before = RtlpDaysBeforeMonth[RtlpIsLeapYear(year)];
    ULONG month = 1;
    while (d >= before[month])
        month++;

    TimeFields->Year = (CSHORT)year;
    TimeFields->Month = (CSHORT)month;
    TimeFields->Day = (CSHORT)(d - before[month - 1] + 1);
    TimeFields->Hour = (CSHORT)(ms / 3600000);
    TimeFields->Minute = (CSHORT)(ms / 60000 % 60);
    TimeFields->Second = (CSHORT)(ms / 1000 % 60);
    TimeFields->Milliseconds = (CSHORT)(ms % 1000);
}
