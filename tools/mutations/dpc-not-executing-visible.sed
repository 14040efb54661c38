# file: kernel/ke/dpc.c
# suites: dpc
# rule: KeIsExecutingDpc is TRUE inside a DPC routine
s/BOOLEAN KeIsExecutingDpc(void) { return KeGetCurrentPrcb()->DpcRoutineActive; }/BOOLEAN KeIsExecutingDpc(void) { return FALSE; }/
