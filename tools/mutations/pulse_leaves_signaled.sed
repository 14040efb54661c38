# KePulseEvent leaves the event set.
# file: kernel/ke/event.c
# suites: boost
/^LONG KePulseEvent/,/^}/s/    Event->Header.SignalState = 0;/    Event->Header.SignalState = 1;/
