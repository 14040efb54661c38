# file: io/complete.c
# suites: iocomplean,iolean
# rule: with Verifier and the trace off too, a routine registered with InvokeOnError runs when the IRP fails
s/NT_SUCCESS(Irp->IoStatus.Status) ? SL_INVOKE_ON_SUCCESS : SL_INVOKE_ON_ERROR;/NT_SUCCESS(Irp->IoStatus.Status) ? SL_INVOKE_ON_SUCCESS : 0;/
