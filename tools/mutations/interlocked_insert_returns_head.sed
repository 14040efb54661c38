# ExInterlockedInsertHeadList returns the list head for an empty list instead of NULL.
# file: kernel/ex/interlock.c
# suites: exlist
s/    return first == ListHead ? NULL : first;/    return first;/
