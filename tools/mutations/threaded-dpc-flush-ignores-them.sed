# file: kernel/ke/dpcflush.c
# catches: threadeddpc
# rule: KeFlushQueuedDpcs waits for queued and running threaded DPCs too
s/^               __atomic_load_n(&prcb->DpcRoutineActive, __ATOMIC_ACQUIRE) ||$/               __atomic_load_n(\&prcb->DpcRoutineActive, __ATOMIC_ACQUIRE)) if (0 ||/
