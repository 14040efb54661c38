# file: kernel/ke/dpc.c
# catches: dpc.dispatch_level_held_past_the_watchdog_period_stops_with_0x133_1
# rule: a processor at DISPATCH_LEVEL or above for the whole watchdog period stops with 0x133, P1 = 1
s/^    else if (KipDpcWatchdogPeriod && ++prcb->DpcWatchdogCount > KipDpcWatchdogPeriod) {$/    else if (0 \&\& KipDpcWatchdogPeriod \&\& ++prcb->DpcWatchdogCount > KipDpcWatchdogPeriod) {/
