# file: kernel/ke/sched.c
# suites: smpthread
# rule: a thread preempted on one processor is offered to the others (an idle one takes it), not left to wait for its own
s|            KipReadyThread(cur, !quantumEnd); /\* preempted|            KipInsertReady(cur, !quantumEnd); /* preempted|
