# The finding 0xC9/0x23D (disk:jitter=400,reorder,spurious=20 seed 5006) brought back: the I/O
# manager reads "was the location marked" (frame Passed, then the stack location) outside the
# frame lock, so a DPC completing the IRP between the two reads makes a marked IRP look unmarked.
# file: io/iocall.c
# suites: vfrace
# catches: vfrace
# rule: a pended IRP completing right after its dispatch returned is not a 0x23D
s/^    \*Marked = Frame->Passed ? Frame->Marked.*/    (void)Marked;/
s/^    BOOLEAN freeNow = IopPopFrame(&frame, status, &marked);/    marked = frame.Passed ? frame.Marked : (Sp->Control \& SL_PENDING_RETURNED) != 0;\n&/
