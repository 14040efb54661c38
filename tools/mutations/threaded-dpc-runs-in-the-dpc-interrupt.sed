# file: kernel/ke/dpc.c
# catches: threadeddpc
# rule: a threaded DPC runs at PASSIVE_LEVEL on its processor's threaded-DPC thread, not in the DPC interrupt
s/^    BOOLEAN threaded = Dpc->Type == KI_THREADED_DPC_OBJECT && prcb->ThreadedDpcThread;$/    BOOLEAN threaded = FALSE \&\& Dpc->Type == KI_THREADED_DPC_OBJECT \&\& prcb->ThreadedDpcThread;/
