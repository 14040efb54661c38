/* hal/rtc.c - the MC146818-compatible CMOS real-time clock (index port 0x70, data 0x71),
 * read once at boot for the wall-clock time: BCD or binary, 12- or 24-hour, as register B says. */
#include "hal.h"
#include <arch/x86.h>

#define RTC_INDEX_PORT 0x70
#define RTC_DATA_PORT 0x71
#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_STATUS_A 0x0A
#define RTC_STATUS_B 0x0B
#define RTC_CENTURY 0x32 /* where the PC BIOS (and QEMU) keep it; ACPI's FADT may say otherwise */
#define RTC_A_UPDATE_IN_PROGRESS 0x80
#define RTC_B_24_HOUR 0x02
#define RTC_B_BINARY 0x04
#define RTC_HOUR_PM 0x80

typedef struct _HALP_RTC_SAMPLE {
    UCHAR Second, Minute, Hour, Day, Month, Year, Century;
} HALP_RTC_SAMPLE;

/* Bit 7 of the index is left clear: NMIs stay enabled while the index is set. */
static UCHAR HalpReadCmos(UCHAR Register)
{
    __outbyte(RTC_INDEX_PORT, Register);
    return __inbyte(RTC_DATA_PORT);
}

/* An update takes under 2 ms once the flag rises; the bound only guards against a clock
 * that never finishes one (absent or broken hardware). */
static BOOLEAN HalpWaitForUpdateToFinish(void)
{
    for (ULONG i = 0; i < 1000000; i++)
        if (!(HalpReadCmos(RTC_STATUS_A) & RTC_A_UPDATE_IN_PROGRESS))
            return TRUE;
    return FALSE;
}

static BOOLEAN HalpSampleRtc(HALP_RTC_SAMPLE *s)
{
    if (!HalpWaitForUpdateToFinish())
        return FALSE;
    s->Second = HalpReadCmos(RTC_SECONDS);
    s->Minute = HalpReadCmos(RTC_MINUTES);
    s->Hour = HalpReadCmos(RTC_HOURS);
    s->Day = HalpReadCmos(RTC_DAY);
    s->Month = HalpReadCmos(RTC_MONTH);
    s->Year = HalpReadCmos(RTC_YEAR);
    s->Century = HalpReadCmos(RTC_CENTURY);
    return TRUE;
}

static UCHAR HalpFromBcd(UCHAR v) { return (UCHAR)((v >> 4) * 10 + (v & 15)); }

/* IRQL: any. The clock's fields as it holds them (no time zone: the kernel takes them as
 * UTC); Milliseconds is 0 and Weekday is computed, not read. FALSE when the clock never
 * settles or holds a date that does not exist. */
BOOLEAN HalQueryRealTimeClock(PTIME_FIELDS TimeFields)
{
    HALP_RTC_SAMPLE a, b;
    BOOLEAN settled = FALSE;
    UCHAR statusB;
    ULONG64 flags = __readeflags();

    /* The index/data pair is one device-wide cursor: no interrupt may move it between. */
    _disable();
    if (HalpSampleRtc(&b)) {
        /* An update may begin between the check and the reads: repeat until two agree. */
        for (ULONG tries = 0; tries < 8 && !settled; tries++) {
            a = b;
            if (!HalpSampleRtc(&b))
                break;
            settled = RtlEqualMemory(&a, &b, sizeof(a));
        }
    }
    statusB = HalpReadCmos(RTC_STATUS_B);
    if (flags & 0x200)
        _enable();
    if (!settled)
        return FALSE;

    BOOLEAN pm = (b.Hour & RTC_HOUR_PM) != 0;
    b.Hour &= (UCHAR)~RTC_HOUR_PM;
    if (!(statusB & RTC_B_BINARY)) {
        b.Second = HalpFromBcd(b.Second);
        b.Minute = HalpFromBcd(b.Minute);
        b.Hour = HalpFromBcd(b.Hour);
        b.Day = HalpFromBcd(b.Day);
        b.Month = HalpFromBcd(b.Month);
        b.Year = HalpFromBcd(b.Year);
        b.Century = HalpFromBcd(b.Century);
    }
    if (!(statusB & RTC_B_24_HOUR)) /* 12 AM is midnight, 12 PM noon */
        b.Hour = (UCHAR)(b.Hour % 12 + (pm ? 12 : 0));
    if (b.Century < 19 || b.Century > 29) /* no century register, or not kept there */
        b.Century = 20;

    LARGE_INTEGER t;
    TIME_FIELDS f = { .Year = (CSHORT)(b.Century * 100 + b.Year), .Month = b.Month, .Day = b.Day,
                      .Hour = b.Hour, .Minute = b.Minute, .Second = b.Second };
    if (!RtlTimeFieldsToTime(&f, &t))
        return FALSE;
    RtlTimeToTimeFields(&t, TimeFields); /* for the weekday */
    return TRUE;
}
