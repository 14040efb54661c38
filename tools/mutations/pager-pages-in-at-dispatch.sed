# file: kernel/mm/fault.c
# suites: paging,protect
# rule: a page fault on pageable memory at DISPATCH_LEVEL is a bug check, never a page-in
s/        if (irql > APC_LEVEL)/        if (irql > DISPATCH_LEVEL)/
