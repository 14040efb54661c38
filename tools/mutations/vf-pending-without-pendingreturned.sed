# file: kernel/vf/vfpend.c
# catches: vf.forced_pending_returns_pending_and_completes_from_a_dpc
s/    irp->PendingReturned = TRUE;/    \/\* mutated \*\//
