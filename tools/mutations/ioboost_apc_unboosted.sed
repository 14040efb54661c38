# The completion APC wakes the requesting thread without the I/O boost.
# file: kernel/ke/apc.c
# suites: ioboost,boost
s/KiUnwaitThread(t, STATUS_KERNEL_APC, Increment);/KiUnwaitThread(t, STATUS_KERNEL_APC, 0 * Increment);/
