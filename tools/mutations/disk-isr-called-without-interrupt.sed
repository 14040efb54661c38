# file: drivers/ramdisk/rdisr.c
# suites: fsstack
# rule: the disk's ISR runs because the APIC delivered its vector
s/^    RamCtlRaiseInterrupt(RD_VECTOR, us);/    { KIRQL o; UNREFERENCED_PARAMETER(us); KeRaiseIrql(RD_DIRQL, \&o); RdInterruptService(Ext->Interrupt, Ext); KeLowerIrql(o); }/
