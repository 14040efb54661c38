# file: kernel/vf/vfdeadlock.c
# suites: deadlock
# rule: a new lock-order edge is added without looking for the path back (no 0xC4/0x1001)
s/^        if (VfDlReaches(node, held, path, &n)) {$/        if (0 \&\& VfDlReaches(node, held, path, \&n)) {/
