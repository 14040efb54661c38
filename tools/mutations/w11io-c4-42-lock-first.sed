# 0xC4/0x42 with the lock in P2 and the IRQL in P3 (the order the issue found): caught by
# spinlock.verifier_acquire_above_dispatch and ddi.acquire_spin_lock_above_dispatch_keeps_classic_code_under_all
# file: kernel/ke/bugparams.h
# catches: spinlock,ddi
s/0x42, (ULONG_PTR)(Irql), (ULONG_PTR)(Lock), 0/0x42, (ULONG_PTR)(Lock), (ULONG_PTR)(Irql), 0/
