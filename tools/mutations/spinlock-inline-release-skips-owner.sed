# file: include/wdm/keirql.h
# catches: spinlock
# The inline release stores zero whatever the lock holds: releasing a free lock is not
# SPIN_LOCK_NOT_OWNED (0x10) with Verifier off.
s/^        KiReleaseSpinLockNotOwner(SpinLock);/        __atomic_store_n(SpinLock, 0, __ATOMIC_RELEASE);/
