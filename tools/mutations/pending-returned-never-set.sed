# file: io/complete.c
# suites: iocomp,irp,cancel
# rule: Irp->PendingReturned tells a completion routine that the lower driver marked the IRP pending
s/Irp->PendingReturned = (sp->Control \& SL_PENDING_RETURNED) != 0;/Irp->PendingReturned = FALSE;/
