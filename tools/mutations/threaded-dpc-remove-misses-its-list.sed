# file: kernel/ke/dpc.c
# catches: threadeddpc
# rule: removing a queued threaded DPC takes it off its processor's threaded list and count
s/^            if (head == &prcb->ThreadedDpcListHead)$/            if (0)/
