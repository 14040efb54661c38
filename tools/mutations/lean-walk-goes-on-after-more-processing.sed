# file: io/complete.c
# suites: iocomplean,iolean
# rule: with Verifier and the trace off too, STATUS_MORE_PROCESSING_REQUIRED stops the walk
s/^        if (routine(device, Irp, context) == STATUS_MORE_PROCESSING_REQUIRED)$/        if (routine(device, Irp, context) == STATUS_MORE_PROCESSING_REQUIRED \&\& 0)/
