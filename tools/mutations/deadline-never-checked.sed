# file: kernel/ke/clock.c
# suites: host.deadline
# rule: deadline=S ends a hung boot after S seconds of guest time
/    KiDeadlineTick();/d
