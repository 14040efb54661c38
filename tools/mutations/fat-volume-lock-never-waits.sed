# file: drivers/fat/fsdentry.c
# suites: fatlock
# rule: a request that finds FAT's volume lock held sleeps until the holder releases it
s/^    if (InterlockedDecrement(&Vcb->LockCount) != 0)$/    if (InterlockedDecrement(\&Vcb->LockCount) != 0 \&\& 0)/
