# A wait that takes an abandoned mutant returns STATUS_SUCCESS.
# file: kernel/ke/wait.c
# suites: mutant
s/                abandoned = STATUS_ABANDONED;/                abandoned = 0;/
