# file: io/vfroutine.c
# suites: iov.completion_routine_posting_before_marking_pending,iorule
# rule: Verifier stops a completion routine that posts its IRP before IoMarkIrpPending (0xC9/0x1104)
s/^    if (bad)$/    if (0 \&\& bad)/
