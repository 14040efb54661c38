/* tests/rtl/time_tests.c - RtlTimeFieldsToTime / RtlTimeToTimeFields against system times
 * worked out independently (Python's datetime), both directions, plus the fields refused. */
#include "../ktest.h"

typedef struct {
    TIME_FIELDS Fields;
    LONGLONG Time;
} RTLP_TIME_CASE;

/* Fields are Year, Month, Day, Hour, Minute, Second, Milliseconds, Weekday (0 = Sunday). */
static const RTLP_TIME_CASE RtlpCases[] = {
    { { 1601, 1, 1, 0, 0, 0, 0, 1 }, 0 },                             /* the epoch, a Monday */
    { { 1601, 12, 31, 0, 0, 0, 0, 1 }, 314496000000000LL },
    { { 1970, 1, 1, 0, 0, 0, 0, 4 }, 116444736000000000LL },          /* the Unix epoch */
    { { 2000, 2, 29, 12, 34, 56, 789, 2 }, 125963012967890000LL },    /* a century leap day */
    { { 2000, 12, 31, 23, 59, 59, 999, 0 }, 126227807999990000LL },   /* last day of a 400-year cycle */
    { { 2024, 12, 31, 23, 59, 59, 999, 2 }, 133801631999990000LL },   /* day 366 of a leap year */
    { { 2100, 3, 1, 0, 0, 0, 0, 1 }, 157520160000000000LL },          /* 2100 has no Feb 29 */
    { { 9999, 12, 31, 23, 59, 59, 999, 5 }, 2650467743999990000LL },
};

KTEST(rtl, time_fields_convert_both_ways_with_weekday)
{
    for (ULONG i = 0; i < ARRAYSIZE(RtlpCases); i++) {
        TIME_FIELDS f = RtlpCases[i].Fields, back;
        LARGE_INTEGER t = { .QuadPart = -1 };
        f.Weekday = 6 - RtlpCases[i].Fields.Weekday; /* must be ignored on the way in */
        KT_ASSERT(RtlTimeFieldsToTime(&f, &t));
        KT_EQ(t.QuadPart, RtlpCases[i].Time);
        RtlFillMemory(&back, sizeof(back), 0xCC);
        RtlTimeToTimeFields(&t, &back);
        KT_ASSERT(RtlEqualMemory(&back, &RtlpCases[i].Fields, sizeof(back)));
    }
}

/* Every 13th day over 1601..2400 and a drifting time of day: the two routines invert each
 * other, days are consecutive and the weekday steps with them. */
KTEST(rtl, time_fields_round_trip_over_eight_centuries)
{
    const ULONG64 day = 864000000000ULL;
    TIME_FIELDS f, prev = { 0 };
    for (ULONG64 d = 0; d < 292000; d += 13) {
        LARGE_INTEGER t = { .QuadPart = (LONGLONG)(d * day + (d * 7919 % 86400000) * 10000) }, t2;
        RtlTimeToTimeFields(&t, &f);
        KT_ASSERT(RtlTimeFieldsToTime(&f, &t2));
        KT_EQ(t2.QuadPart, t.QuadPart);
        KT_EQ(f.Weekday, (d + 1) % 7);
        if (d) { /* 13 days on: same or next month, day of month moved by 13 modulo its length */
            LONG months = (f.Year - prev.Year) * 12 + f.Month - prev.Month;
            KT_ASSERT(months == 0 || months == 1);
            KT_ASSERT(months == 1 ? f.Day < 14 : f.Day == prev.Day + 13);
        }
        prev = f;
    }
}

KTEST(rtl, impossible_time_fields_are_refused)
{
    static const TIME_FIELDS bad[] = {
        { 2024, 13, 1, 0, 0, 0, 0, 0 }, { 2024, 0, 1, 0, 0, 0, 0, 0 },  { 2023, 2, 30, 0, 0, 0, 0, 0 },
        { 2023, 2, 29, 0, 0, 0, 0, 0 }, { 1900, 2, 29, 0, 0, 0, 0, 0 }, { 2100, 2, 29, 0, 0, 0, 0, 0 },
        { 2024, 4, 31, 0, 0, 0, 0, 0 }, { 2024, 1, 0, 0, 0, 0, 0, 0 },  { 2024, 1, 1, 24, 0, 0, 0, 0 },
        { 2024, 1, 1, 0, 60, 0, 0, 0 }, { 2024, 1, 1, 0, 0, 60, 0, 0 }, { 2024, 1, 1, 0, 0, 0, 1000, 0 },
        { 1600, 12, 31, 0, 0, 0, 0, 0 }, { 2024, 1, 1, -1, 0, 0, 0, 0 },
    };
    for (ULONG i = 0; i < ARRAYSIZE(bad); i++) {
        TIME_FIELDS f = bad[i];
        LARGE_INTEGER t = { .QuadPart = 12345 };
        KT_ASSERT(!RtlTimeFieldsToTime(&f, &t));
        KT_EQ(t.QuadPart, 12345); /* left alone */
    }
    TIME_FIELDS leap = { 2024, 2, 29, 0, 0, 0, 0, 0 }; /* the leap day itself is fine */
    LARGE_INTEGER t;
    KT_ASSERT(RtlTimeFieldsToTime(&leap, &t));
}
