# file: io/complete.c
# suites: iocomp
# rule: the watched walk (Verifier or the trace on) clears each location it leaves, as the lean one does
/^                IoMarkIrpPending(Irp);$/{n;s/IopZeroStackLocation(sp);/(void)sp;/}
/BOOLEAN oplock = verify && IopIsOplockRequest(sp);/{n;s/IopZeroStackLocation(sp);/(void)sp;/}
