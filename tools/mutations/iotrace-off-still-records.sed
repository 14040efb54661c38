# file: io/iop.h
# suites: iolean
# rule: with the IRP trace off (iotrace=off, IoSetIrpTracing) nothing is recorded
s/^    if (__builtin_expect(IopIrpTracing, 1))$/    if (1)/
