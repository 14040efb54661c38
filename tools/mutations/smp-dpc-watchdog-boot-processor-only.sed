# file: kernel/ke/clock.c
# suites: smpdpc
# rule: only the boot processor's clock charges a running DPC, so a DPC spinning elsewhere never stops
/^    KiDpcWatchdogTick(); \/\* each processor/d
s/^        KiTickCount++;$/        KiTickCount++;\n        KiDpcWatchdogTick();/
