# A resource may be acquired at DISPATCH_LEVEL unnoticed.
# file: kernel/ex/resrule.c
# suites: resource
s/    if (irql <= APC_LEVEL)$/    if (1)/
