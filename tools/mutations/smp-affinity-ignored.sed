# file: kernel/ke/sched.c
# suites: smpthread
# rule: a processor only takes a ready thread whose affinity includes it
s/            if (t->Affinity \& me) {/            if (me) {/
