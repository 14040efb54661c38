# file: io/trace.c
# suites: iolean
# rule: IoSetIrpTracing(TRUE) turns the trace back on
s/^    IopIrpTracing = On;$/    IopIrpTracing = On \&\& FALSE;/
