# file: io/complete.c
# suites: iocomplean,iolean
# rule: with Verifier and the trace off too, Irp->PendingReturned tells a routine that the lower driver marked the IRP pending
s/^        Irp->PendingReturned = (control \& SL_PENDING_RETURNED) != 0;/        Irp->PendingReturned = FALSE;/
