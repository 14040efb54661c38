# file: io/iocall.c
# suites: irp,iocomp,cancel,ob
# rule: without Verifier too, IoCallDriver returns what the dispatch routine returned (STATUS_PENDING stays)
s/^    NTSTATUS status = dispatch(DeviceObject, Irp);/    NTSTATUS status = dispatch(DeviceObject, Irp); if (status == STATUS_PENDING) status = STATUS_SUCCESS;/
