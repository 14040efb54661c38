# file: drivers/ramdisk/rdisr.c
# suites: fsstack
# rule: the disk's ISR runs because the APIC delivered its vector
s/        HalSendSelfIpi(RD_VECTOR);/        { KIRQL o; KeRaiseIrql(RD_DIRQL, \&o); RdInterruptService(Ext->Interrupt, Ext); KeLowerIrql(o); }/
