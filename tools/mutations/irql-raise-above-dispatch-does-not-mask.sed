# file: kernel/ke/irql.c
# suites: irql
# rule: raising IRQL to a device level masks that class in the APIC (CR8 = IRQL)
/^KIRQL KfRaiseIrql/,/^}/ s/__writecr8(NewIrql);/__writecr8(NewIrql > DISPATCH_LEVEL ? DISPATCH_LEVEL : NewIrql);/
