/* tests/ke/systime_tests.c - KeQuerySystemTime: the boot reading of the CMOS clock is a real
 * date, and the system time moves forward with the interrupt time across a real wait. */
#include "kthread_util.h"
#include "../../kernel/hal/hal.h"

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
