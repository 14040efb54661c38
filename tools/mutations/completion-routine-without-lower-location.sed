# file: include/wdm/io.h
# suites: iov.completion_routine_without_a_lower_location
# rule: IoSetCompletionRoutine with no lower location stops (0x35) instead of writing outside the IRP
s/^    if (Irp->CurrentLocation <= 1)$/    if (0)/
