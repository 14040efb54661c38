# file: kernel/ke/apc.c
# suites: apc
# rule: leaving the last critical region delivers the normal kernel APCs queued meanwhile (the lock-free queue test must see them)
s/__atomic_load_n(&t->ApcListHead.Flink, __ATOMIC_SEQ_CST) != &t->ApcListHead)$/__atomic_load_n(\&t->ApcListHead.Flink, __ATOMIC_SEQ_CST) == \&t->ApcListHead)/
