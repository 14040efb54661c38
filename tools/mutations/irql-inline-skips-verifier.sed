# file: include/wdm/keirql.h
# catches: irql,spinlock
# The inline raise/lower never take the checked routine: Verifier's 0xC4/0x30 and 0x31 are lost.
s/^#define KiIrqlVerified() __builtin_expect.*/#define KiIrqlVerified() FALSE/
