# 0xC4/0x32 reporting an IRQL in P4 instead of 0: caught by spinlock.verifier_release_below_dispatch
# file: kernel/ke/bugparams.h
# catches: spinlock
s/0x32, (ULONG_PTR)(Irql), (ULONG_PTR)(Lock), 0/0x32, (ULONG_PTR)(Irql), (ULONG_PTR)(Lock), (ULONG_PTR)(Irql)/
