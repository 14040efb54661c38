# file: kernel/ke/dpc.c
# suites: dpc
# rule: the DPC watchdog's allotment is per DPC routine
/Prcb->DpcTimeCount = 0;/d
