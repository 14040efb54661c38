# file: include/wdm/keirql.h
# catches: irql
# The inline raise/lower always call the checked routines (no fast path with Verifier off).
s/^#define KiIrqlVerified() FALSE/#define KiIrqlVerified() TRUE/
s/^#define KiIrqlVerified() __builtin_expect.*/#define KiIrqlVerified() TRUE/
