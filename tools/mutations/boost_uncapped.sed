# The boost may reach into the real-time range.
# file: kernel/ke/boost.c
# suites: boost
s/boosted = LOW_REALTIME_PRIORITY - 1;/boosted = boosted + 0;/
