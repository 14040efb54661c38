# file: kernel/ke/patch.c
# suites: kepatch,kepatchddi
# rule: turning a DDI-check switch on makes every DDI-check site the jmp to its check again
s/^static BOOLEAN KipKeyArmed\[ARRAYSIZE(KipKeyFlags)\] = { TRUE, TRUE, TRUE };$/static BOOLEAN KipKeyArmed[ARRAYSIZE(KipKeyFlags)] = { TRUE, TRUE, TRUE };\nstatic const ULONG KipNeverArmed = 1u << KI_PATCH_KEY_DDI;/
s/^        if (KipKeyArmed\[e->Key\]) {$/        if (KipKeyArmed[e->Key] \&\& !(KipNeverArmed \& (1u << e->Key))) {/
