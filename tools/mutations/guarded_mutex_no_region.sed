# KeAcquireGuardedMutex does not enter a guarded region.
# file: kernel/ke/guardedmutex.c
# suites: synch
/^VOID KeAcquireGuardedMutex(/,/^}/s/    KeEnterGuardedRegion();/    KeEnterCriticalRegion();/
/^VOID KeReleaseGuardedMutex(/,/^}/s/    KeLeaveGuardedRegion();/    KeLeaveCriticalRegion();/
