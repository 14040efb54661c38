/* ke/systime.c - the system (wall-clock) time: the CMOS clock read once at boot, carried
 * forward by the interrupt time (TSC), so no port I/O happens after boot. */
#include "ki.h"
#include "../hal/hal.h"

/* There are no time zones: the RTC is taken to hold UTC (QEMU's default, -rtc base=utc), and
 * local time is UTC. Windows would keep the RTC in local time and apply a bias; we have none. */
static LONGLONG KiBootSystemTime;   /* 100-ns units since 1601 at KiBootInterruptTime */
static ULONG64 KiBootInterruptTime;

/* Called once by KiSystemStartup after the TSC is calibrated (KeQueryInterruptTime needs it).
 * An unreadable clock leaves the system time at the DOS epoch, 1980-01-01, plus uptime. */
VOID KiInitializeSystemTime(void)
{
    TIME_FIELDS f;
    LARGE_INTEGER t;
    BOOLEAN ok = HalQueryRealTimeClock(&f);
    KiBootInterruptTime = KeQueryInterruptTime();
    if (!ok) {
        f = (TIME_FIELDS){ .Year = 1980, .Month = 1, .Day = 1 };
        DbgPrint("Time: the CMOS clock could not be read; using 1980-01-01 00:00:00 UTC\n");
    }
    RtlTimeFieldsToTime(&f, &t);
    KiBootSystemTime = t.QuadPart;
    if (ok)
        DbgPrint("Time: %04d-%02d-%02d %02d:%02d:%02d UTC from the CMOS clock\n", f.Year, f.Month, f.Day, f.Hour,
                 f.Minute, f.Second);
}

/* IRQL: any. 100-ns units since 1601-01-01 UTC. The boot reading has one-second resolution,
 * so the result may trail the RTC by up to a second; it never goes backwards. */
VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = KiBootSystemTime + (LONGLONG)(KeQueryInterruptTime() - KiBootInterruptTime);
}
