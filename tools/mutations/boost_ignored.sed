# KeSetEvent & co. ignore their Increment again (the issue's first deviation).
# file: kernel/ke/boost.c
# suites: boost
s/if (Increment <= 0 || KiIsIdleThread(Thread)/if (1 || KiIsIdleThread(Thread)/
