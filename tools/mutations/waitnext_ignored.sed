# KeSetEvent(Wait = TRUE) behaves like FALSE again.
# file: kernel/ke/wait.c
# suites: boost
s/    if (!Wait) {/    if (1) {/
