# file: kernel/ke/ki.h
# catches: ob.a_normal_apc_queued_during_a_handle_lookup_runs_as_the_lookup_ends
# rule: the kernel's inline critical region, left, delivers the normal kernel APCs queued meanwhile
s/__atomic_load_n(&Thread->ApcListHead.Flink, __ATOMIC_SEQ_CST) != &Thread->ApcListHead)$/__atomic_load_n(\&Thread->ApcListHead.Flink, __ATOMIC_SEQ_CST) == \&Thread->ApcListHead)/
