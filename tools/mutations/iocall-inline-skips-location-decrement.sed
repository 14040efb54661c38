# file: include/wdm/io.h
# suites: iolean
# rule: the inline IoCallDriver counts CurrentLocation down one per layer
/^FORCEINLINE NTSTATUS IopInlineCallDriver/,/^}/s/^    Irp->CurrentLocation--;$/    ;/
