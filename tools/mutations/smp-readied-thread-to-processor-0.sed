# file: kernel/ke/sched.c
# suites: smpthread
# rule: a readied thread goes to an idle or outranked processor in its affinity, not always to processor 0
s/    KAFFINITY allowed = Thread->Affinity \& KiActiveProcessors;/    KAFFINITY allowed = 1;/
