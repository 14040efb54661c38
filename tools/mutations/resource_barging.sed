# An exclusive release frees the resource instead of handing it to the waiter.
# file: kernel/ex/resource.c
# suites: resource
/^static VOID ExpGrantWaiters/,/^}/s/        R->ActiveCount = 1;/        R->ActiveCount = 0;/
