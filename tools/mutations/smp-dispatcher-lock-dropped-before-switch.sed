# file: kernel/ke/sched.c
# suites: smpthread,smpfs
# rule: the dispatcher lock is held across the switch, so no processor picks up a thread whose stack and saved context another processor is still leaving
s/^    Old->SwapBusy = TRUE;$/    KiReleaseQueuedLock(KI_DISPATCHER_LOCK);\n    for (int kipw = 0; kipw < 200; kipw++) _mm_pause();\n    KiAcquireQueuedLock(KI_DISPATCHER_LOCK);\n    Old->SwapBusy = TRUE;/
