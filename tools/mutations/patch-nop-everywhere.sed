# file: kernel/ke/patch.c
# suites: kepatch,irql,spinlock
# rule: an armed key's site is the jmp to the checked code, not the nop
s/^        if (KipKeyArmed\[e->Key\]) {$/        if (0) {/
