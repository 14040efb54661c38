# file: include/wdm/keirql.h
# catches: spinlock
# A failed inline compare-exchange spins without looking at the owner: re-acquire hangs or passes
# instead of SPIN_LOCK_ALREADY_OWNED (0x0F) with Verifier off.
s/^        KiAcquireSpinLockContended(SpinLock);/        while (!__atomic_compare_exchange_n(SpinLock, \&expected, KiSpinLockOwnerWord(), FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) expected = 0;/
