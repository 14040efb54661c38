# fault=cancel treats every pended Zw request as already finished, so IoCancelIrp is never
# called: the kt_io device's held read (and the CSQ sample's queued read) never complete.
# Caught by vf.cancel_rule_reaches_the_cancel_routine_and_the_zw_caller_sees_cancelled (the vf boot
# hangs there and the runner's timeout reports it).
# file: kernel/vf/vfcancel.c
# suites: vf
# catches: vf
# rule: a cancel rule calls IoCancelIrp on the request still in flight
s/BOOLEAN finished = KeReadStateEvent(Done) != 0;/BOOLEAN finished = TRUE;/
