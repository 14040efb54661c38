# file: io/irp.c
# suites: iolean
# rule: IoFreeIrp's fast path frees at once only when no verifier frame exists; with frames it asks them first
s/^                         IsListEmpty(&IopFrames), 1))$/                         1, 1))/
