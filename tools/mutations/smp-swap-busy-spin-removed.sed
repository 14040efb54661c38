# file: kernel/ke/sched.c
# suites: smpthread,smpfs
# rule: a thread still leaving its stack on one processor is not resumed on another (second guard: the dispatcher lock is held across the switch)
/    while (__atomic_load_n(&New->SwapBusy, __ATOMIC_ACQUIRE))/,/        KiIpiPoll();/d
