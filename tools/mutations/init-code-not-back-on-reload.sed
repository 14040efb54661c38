# file: io/driver.c
# suites: wdk_startio
# rule: a driver loaded again after its unload gets its INIT code back (a fresh image)
/    MmLoadDriverInitialization((PVOID)InitializationFunction);/d
