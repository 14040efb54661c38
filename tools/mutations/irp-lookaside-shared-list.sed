# file: io/irp.c
# suites: smplookaside
# rule: each processor's IRP list is its own (GS, the current PRCB), so two processors never share one
s/^#define IopPrcb(type, field) (\*(type __seg_gs \*)(ULONG_PTR)__builtin_offsetof(KPRCB, field))$/#define IopPrcb(type, field) (KiProcessorBlock[0].field)/
