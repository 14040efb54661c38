# file: io/complete.c
# suites: iocomplean
# rule: with Verifier and the trace off too, a location the walk leaves without calling a routine is cleared (major function and device stay)
/(sp + 1)->Control |= SL_PENDING_RETURNED;/{n;s/IopZeroStackLocation(sp);/(void)sp;/}
