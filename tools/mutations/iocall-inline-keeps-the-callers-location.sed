# file: include/wdm/io.h
# suites: iolean
# rule: the inline IoCallDriver makes the next stack location the current one
/^FORCEINLINE NTSTATUS IopInlineCallDriver/,/^}/s/PIO_STACK_LOCATION sp = --Irp->Tail.Overlay.CurrentStackLocation;/PIO_STACK_LOCATION sp = Irp->Tail.Overlay.CurrentStackLocation - 1;/
