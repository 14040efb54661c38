# KeSetEvent & co. ignore their Increment again (the issue's first deviation).
# file: kernel/ke/boost.c
# suites: boost
s/if (Increment <= 0 || Thread == KiIdleThread/if (1 || Thread == KiIdleThread/
