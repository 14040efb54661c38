# file: kernel/ke/threadeddpc.c
# catches: threadeddpc
# rule: the threaded-DPC thread runs at priority 31, so no other thread preempts a threaded DPC
s/HIGH_PRIORITY,$/LOW_REALTIME_PRIORITY,/
