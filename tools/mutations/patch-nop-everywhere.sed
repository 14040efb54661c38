# file: kernel/ke/patch.c
# suites: kepatch,irql,spinlock
# rule: an armed key's site is the jmp to the checked code, not its off form (nop or CR8 write)
s/^        if (KipKeyArmed\[e->Key\]) {$/        if (0) {/
