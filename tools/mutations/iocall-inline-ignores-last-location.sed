# file: include/wdm/io.h
# suites: iolean
# rule: a call with no stack location left goes to the checked routine, which stops with 0x35
s/IopIrpTracing) != 0 || Irp->CurrentLocation <= 1, 0))/IopIrpTracing) != 0, 0))/
