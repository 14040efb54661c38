# file: include/wdm/keirql.h
# catches: spinlock
# The inline spin-lock routines never take the checked ones: 0xC4/0x32, 0x40-0x42 are lost.
s/^#define KiSpinLockVerified() __builtin_expect.*/#define KiSpinLockVerified() FALSE/
