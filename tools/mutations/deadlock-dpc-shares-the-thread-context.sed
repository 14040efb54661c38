# file: kernel/vf/vfdeadlock.c
# suites: deadlock
# rule: a DPC's locks are booked to the thread it interrupted, so a DPC reversing a thread's order is missed
s/^    if (prcb->DpcRoutineActive)$/    if (0)/
