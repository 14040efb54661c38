# file: drivers/fltmgr/fltdispatch.c
# suites: fltmgr
# rule: an operation the Filter Manager pends is marked pending before its dispatch routine returns STATUS_PENDING
s/^        IoMarkIrpPending(Ctrl->Irp);$/        (void)0;/
