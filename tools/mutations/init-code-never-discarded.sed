# file: io/driver.c
# suites: wdk_init
# rule: #pragma alloc_text(INIT, ...) code is discarded after DriverEntry returns success
s/    ULONG discarded = MmFreeDriverInitialization((PVOID)InitializationFunction);/    ULONG discarded = 0;/
