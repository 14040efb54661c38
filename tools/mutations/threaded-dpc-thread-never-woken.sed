# file: kernel/ke/dpc.c
# catches: threadeddpc
# rule: the DPC interrupt wakes its processor's threaded-DPC thread when threaded DPCs wait
s/^            if (Prcb->ThreadedDpcDepth)$/            if (0)/
