# file: io/complete.c
# suites: iocomp,irp,cancel,ob
# rule: a routine registered with InvokeOnError runs when the IRP fails
s/(!NT_SUCCESS(st) \&\& (sp->Control \& SL_INVOKE_ON_ERROR))/(0)/
