# file: kernel/ke/dpc.c
# catches: dpc.a_tick_below_dispatch_level_starts_the_watchdog_period_again
# rule: the watchdog period counts ticks in a row at DISPATCH_LEVEL or above; one below starts it again
s/^        prcb->DpcWatchdogCount = 0;$/        prcb->DpcWatchdogCount += 0;/
