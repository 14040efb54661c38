# file: tests/ktstate.c
# suites: ktest
# rule: the framework puts the machine back after a failed test
s/^    ULONG repairs = 0;/    ULONG repairs = 0; if (S) return 0;/
