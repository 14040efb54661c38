# file: io/irp.c
# suites: irplookaside
# rule: an IRP from the lookaside list has every byte of its header and of its StackSize locations zeroed, as a new one
s|^    ULONG64 n = IoSizeOfIrp(StackSize) / 8, p = (ULONG64)Irp;|    ULONG64 n = IoSizeOfIrp(StackSize - 1) / 8, p = (ULONG64)Irp;|
