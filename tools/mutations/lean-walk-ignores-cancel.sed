# file: io/complete.c
# suites: iocomplean,iolean
# rule: with Verifier and the trace off too, a routine registered with InvokeOnCancel runs for a cancelled IRP
s/^            invokeOn |= SL_INVOKE_ON_CANCEL;/            invokeOn |= 0;/
