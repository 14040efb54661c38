# KeInitializeTimerEx forgets Header.Size again.
# file: kernel/ke/timer.c
# suites: boost
/Timer->Header.Size = sizeof(KTIMER)/d
