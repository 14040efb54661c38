# file: kernel/ke/sched.c
# suites: thread,wait,spinlock
# rule: nothing switches threads while IRQL >= DISPATCH_LEVEL
s/if (irql < DISPATCH_LEVEL \&\& !KiIsIdleThread(cur) \&\& (next = KipSelectReadyThread(cur->Priority)))/if (irql <= DISPATCH_LEVEL \&\& !KiIsIdleThread(cur) \&\& (next = KipSelectReadyThread(cur->Priority)))/
