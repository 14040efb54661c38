# file: io/mdl.c
# suites: ob
# rule: IoAllocateMdl fails a Length above its documented maximum (4 GB - PAGE_SIZE)
s/    if (!Length || Length > IOP_MAX_MDL_LENGTH || VfShouldFail/    if (!Length || VfShouldFail/
