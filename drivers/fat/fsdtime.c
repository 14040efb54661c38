/* drivers/fat/fsdtime.c - the engine's time source: the system time (UTC; there are no time
 * zones, so it is also local time) packed into FAT's DOS date, time and 10-ms fields. */
#include "fsd.h"

/* IRQL: any (KeQuerySystemTime is). DOS dates span 1980..2107; times outside are clamped to
 * the nearest end rather than wrapped into a wrong year. */
VOID FatFsdStampTime(PVOID Context, PUSHORT DosDate, PUSHORT DosTime, PUCHAR TenthsOf10Ms)
{
    LARGE_INTEGER now;
    TIME_FIELDS f;
    UNREFERENCED_PARAMETER(Context);
    KeQuerySystemTime(&now);
    RtlTimeToTimeFields(&now, &f);
    if (f.Year < 1980)
        f = (TIME_FIELDS){ .Year = 1980, .Month = 1, .Day = 1 };
    else if (f.Year > 2107)
        f = (TIME_FIELDS){ .Year = 2107, .Month = 12, .Day = 31, .Hour = 23, .Minute = 59, .Second = 59,
                           .Milliseconds = 999 };
    *DosDate = (USHORT)(((f.Year - 1980) << 9) | (f.Month << 5) | f.Day);
    *DosTime = (USHORT)((f.Hour << 11) | (f.Minute << 5) | (f.Second / 2));
    *TenthsOf10Ms = (UCHAR)((f.Second % 2) * 100 + f.Milliseconds / 10);
}
