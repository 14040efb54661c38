# file: kernel/ke/dpc.c
# suites: dpc
# rule: a DPC queued at DISPATCH_LEVEL or above runs only once IRQL drops below DISPATCH_LEVEL
/^BOOLEAN KeInsertQueueDpc/,/^}/ s/^    if (prcb == me)$/    if (prcb == me \&\& old >= DISPATCH_LEVEL) { KiLowerIrqlRaw(old); KiRetireDpcList(prcb); return TRUE; }\n    if (prcb == me)/
