# file: drivers/filter/filter.h
# suites: fastio
# rule: the legacy filter counts every fast I/O call it passes down (interlocked, with no lock)
s/^FORCEINLINE VOID FltpCount(ULONG64 \*Counter) { InterlockedIncrement64((LONG64 volatile \*)Counter); }$/FORCEINLINE VOID FltpCount(ULONG64 *Counter) { (void)Counter; }/
