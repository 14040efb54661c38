# file: kernel/ke/sched.c
# suites: thread,smpthread
# rule: no processor switches threads at or above DISPATCH_LEVEL (the 0xB8 assertion and the yield's own check both gone)
/    if (OwnerIrql >= DISPATCH_LEVEL || prcb->DpcRoutineActive)/{N;s/.*/    UNREFERENCED_PARAMETER(OwnerIrql);/}
s/if (irql < DISPATCH_LEVEL \&\& !KiIsIdleThread(cur) \&\& (next = KipSelectReadyThread(cur->Priority)))/if (irql <= DISPATCH_LEVEL \&\& !KiIsIdleThread(cur) \&\& (next = KipSelectReadyThread(cur->Priority)))/
