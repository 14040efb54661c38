/* tests/ke/systime_tests.c - KeQuerySystemTime: the boot reading of the CMOS clock is a real
 * date, and the system time moves forward with the interrupt time across a real wait. */
#include "kthread_util.h"
#include "../../kernel/hal/hal.h"
#include <arch/x86.h>

KTEST(systime, boot_date_from_the_rtc_is_sane)
{
    LARGE_INTEGER now;
    TIME_FIELDS f, rtc;
    KeQuerySystemTime(&now);
    RtlTimeToTimeFields(&now, &f);
    KT_ASSERT(f.Year >= 2024 && f.Year < 2200);
    KT_ASSERT(f.Month >= 1 && f.Month <= 12);
    KT_ASSERT(f.Day >= 1 && f.Day <= 31);
    /* the clock read again now agrees with boot reading carried forward (a lenient minute:
     * the boot reading has one-second resolution and TCG's TSC may drift from the RTC) */
    KT_ASSERT(HalQueryRealTimeClock(&rtc));
    LARGE_INTEGER r;
    KT_ASSERT(RtlTimeFieldsToTime(&rtc, &r));
    LONGLONG diff = r.QuadPart - now.QuadPart;
    KT_ASSERT(diff > -600000000LL && diff < 600000000LL);
}

KTEST(systime, system_time_advances_across_a_delay)
{
    LARGE_INTEGER a, b, d = KtMs(50);
    KeQuerySystemTime(&a);
    KT_STATUS(KeDelayExecutionThread(KernelMode, FALSE, &d), STATUS_SUCCESS);
    KeQuerySystemTime(&b);
    KT_ASSERT(b.QuadPart - a.QuadPart >= 500000);       /* 50 ms */
    KT_ASSERT(b.QuadPart - a.QuadPart < 600000000LL);   /* 60 s: only a runaway clock */
}

KTEST(systime, system_time_is_readable_at_high_level)
{
    LARGE_INTEGER a, b;
    KIRQL old;
    KeRaiseIrql(HIGH_LEVEL, &old);
    KeQuerySystemTime(&a);
    KeStallExecutionProcessor(1000);
    KeQuerySystemTime(&b);
    KeLowerIrql(old);
    KT_ASSERT(b.QuadPart - a.QuadPart >= 10000); /* 1 ms of stall */
}

/* The HAL's decoding of every data mode register B offers. The clock is set (SET bit, BCD,
 * 24-hour, as the firmware left it) to a known afternoon and a known just-after-midnight, and
 * QEMU's clock re-encodes its fields when the mode bits change (real hardware would not: there
 * firmware fixes the mode), so every mode must give back the time that was set. The clock is
 * then set back to where it was, plus the time spent; register B is restored. */
static UCHAR KtpCmos(UCHAR Register, LONG Write)
{
    __outbyte(0x70, Register);
    if (Write >= 0)
        __outbyte(0x71, (UCHAR)Write);
    return __inbyte(0x71);
}

static UCHAR KtpBcd(LONG v) { return (UCHAR)(v / 10 * 16 + v % 10); }

static VOID KtpSetRtc(UCHAR RegisterB, const TIME_FIELDS *f)
{
    ULONG64 flags = __readeflags();
    _disable();
    KtpCmos(0x0B, RegisterB | 0x80); /* SET: the clock stops updating while we write */
    KtpCmos(0x00, KtpBcd(f->Second));
    KtpCmos(0x02, KtpBcd(f->Minute));
    KtpCmos(0x04, KtpBcd(f->Hour));
    KtpCmos(0x06, KtpBcd(f->Weekday + 1));
    KtpCmos(0x07, KtpBcd(f->Day));
    KtpCmos(0x08, KtpBcd(f->Month));
    KtpCmos(0x09, KtpBcd(f->Year % 100));
    KtpCmos(0x32, KtpBcd(f->Year / 100));
    KtpCmos(0x0B, RegisterB);
    if (flags & 0x200)
        _enable();
}

KTEST(systime, rtc_reads_alike_in_bcd_binary_12_and_24_hour_modes)
{
    static const UCHAR modes[] = { 0x02 /* BCD 24h */, 0x06 /* binary 24h */, 0x00 /* BCD 12h */,
                                   0x04 /* binary 12h */ };
    static const TIME_FIELDS set[] = { { 2031, 7, 19, 15, 42, 17, 0, 6 }, { 2028, 2, 29, 0, 30, 5, 0, 2 } };
    UCHAR original = KtpCmos(0x0B, -1), hour12[ARRAYSIZE(set)];
    TIME_FIELDS got[ARRAYSIZE(set)][ARRAYSIZE(modes)], was;
    BOOLEAN ok = TRUE;
    ULONG64 t0 = KeQueryInterruptTime();

    KT_ASSERT((original & 0x06) == 0x02); /* the firmware's BCD 24-hour, which KtpSetRtc writes */
    KT_ASSERT(HalQueryRealTimeClock(&was));
    for (ULONG s = 0; s < ARRAYSIZE(set); s++) {
        KtpSetRtc(original, &set[s]);
        for (ULONG m = 0; m < ARRAYSIZE(modes); m++) {
            KtpCmos(0x0B, (original & ~0x06) | modes[m]);
            if (modes[m] == 0x00)
                hour12[s] = KtpCmos(0x04, -1);
            ok = HalQueryRealTimeClock(&got[s][m]) && ok;
        }
        KtpCmos(0x0B, original);
    }
    LARGE_INTEGER back;
    RtlTimeFieldsToTime(&was, &back);
    back.QuadPart += (LONGLONG)(KeQueryInterruptTime() - t0);
    RtlTimeToTimeFields(&back, &was);
    KtpSetRtc(original, &was);

    KT_ASSERT(ok);
    KT_EQ(hour12[0], 0x80 | 0x03); /* 3 PM in 12-hour BCD */
    KT_EQ(hour12[1], 0x12);        /* 12 AM */
    for (ULONG s = 0; s < ARRAYSIZE(set); s++)
        for (ULONG m = 0; m < ARRAYSIZE(modes); m++) {
            const TIME_FIELDS *g = &got[s][m], *e = &set[s];
            KT_ASSERT(g->Year == e->Year && g->Month == e->Month && g->Day == e->Day && g->Weekday == e->Weekday);
            KT_ASSERT(g->Hour == e->Hour && g->Minute == e->Minute);
            KT_ASSERT(g->Second >= e->Second && g->Second <= e->Second + 3); /* the clock runs on */
        }
}
