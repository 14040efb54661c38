# file: io/complete.c
# suites: iocomplean
# rule: with Verifier and the trace off too, a location whose routine the walk calls is cleared before the call (major function and device stay)
/^        PVOID context = sp->Context;$/{n;s/IopZeroStackLocation(sp);/(void)sp;/}
