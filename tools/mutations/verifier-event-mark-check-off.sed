# file: io/vfroutine.c
# suites: iov.completion_routine_signalling_an_event_marks_pending
# rule: a completion routine that signals an event must not call IoMarkIrpPending (0xC9/0x1105)
s/if (Frame->Marked \&\& Frame->SignaledEvent \&\& Returned/if (0 \&\& Returned/
