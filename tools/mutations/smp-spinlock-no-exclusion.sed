# kernel/ke/spinlock.c: acquire never waits for another processor (caught by smpipi.contended_*)
s/^        while (__atomic_load_n(Lock, __ATOMIC_RELAXED))$/        return; while (0)/
