# file: drivers/filter/fltpost.c
# suites: fsstack
# rule: a completion routine calls IoMarkIrpPending before posting the IRP to a worker queue
/^static NTSTATUS FltpPostCompletion/,/^}/ {/    IoMarkIrpPending(Irp);/d}
