# file: kernel/ke/dpc.c
# suites: dpc
# rule: a high-importance DPC goes to the head of the queue
s/if (Dpc->Importance == HighImportance)/if (0)/
