# file: kernel/ke/irql.c
# suites: irql,dpc
# rule: KeLowerIrql writes CR8, so held interrupts are delivered the moment IRQL drops
/^VOID KeLowerIrql/,/^}/ s/__writecr8(NewIrql);/__writecr8(NewIrql < old \&\& old > DISPATCH_LEVEL ? old - 1 : NewIrql);/
