# file: kernel/vf/vfdeadlock.c
# suites: deadlock
# rule: freeing pool leaves its locks' order in the graph (a new lock at the address inherits it)
s/^            VfDlRemove(&VfDlNodes\[i\]);$/            (void)0;/
