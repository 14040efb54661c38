# file: io/iocall.c
# suites: iolean
# rule: IoFreeIrp of an IRP a verifier frame still watches is deferred until the frame unwinds
s/^        if (fr->Irp == Irp) {$/        if (fr->Irp == Irp \&\& 0) {/
