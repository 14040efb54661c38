# file: io/complete.c
# suites: iocomplean,iolean
# rule: with Verifier and the trace off too, a routine gets its own driver's device, from its own location
s/location == top ? NULL : (sp + 1)->DeviceObject;/location == top ? NULL : sp->DeviceObject;/
