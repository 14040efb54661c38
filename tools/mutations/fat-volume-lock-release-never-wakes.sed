# file: drivers/fat/fsdentry.c
# catches: fsstack,smpfs
# Releasing the volume lock never sets the event: a request that found the lock held (behind
# an asynchronous transfer or another thread) sleeps for ever.
s/    if (InterlockedIncrement(&Vcb->LockCount) <= 0)/    if (InterlockedIncrement(\&Vcb->LockCount) <= -1000)/
