# file: include/wdm/io.h
# suites: iolean
# rule: the inline IoCallDriver stores the target device in its location (the routine's DeviceObject)
/^FORCEINLINE NTSTATUS IopInlineCallDriver/,/^}/s/^    sp->DeviceObject = DeviceObject;$/    ;/
