# ExAcquireFastMutexUnsafe no longer checks for APC_LEVEL or a region.
# file: kernel/ke/fastmutex.c
# suites: synch
s/    if (irql == APC_LEVEL || regionOk || !KiVerifierOn(VERIFIER_IRQL_CHECKING))/    if (regionOk || 1)/
