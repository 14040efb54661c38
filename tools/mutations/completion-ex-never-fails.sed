# file: io/complete.c
# suites: iorule
# rule: IoSetCompletionRoutineEx can fail (forced), and the caller completes the IRP itself
s/^    if (IopCompletionRoutineExFailures > 0 .*/    if (0)/
