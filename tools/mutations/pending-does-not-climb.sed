# file: io/complete.c
# suites: iocomp,irp
# rule: where no completion routine ran, the I/O manager propagates pending up a location
/No routine to propagate pending/{n;n;d}
