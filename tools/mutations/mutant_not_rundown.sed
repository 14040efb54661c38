# An exiting thread keeps its mutants: waiters wait for ever.
# file: kernel/ke/thread.c
# suites: mutant
/    KiRundownMutants(t);/d
