# file: kernel/ke/patch.c
# suites: kepatch
# rule: only .text sites are rewritten (pageable and INIT code keep the jmp that tests the switches)
s/ || e->Site < (ULONG_PTR)__text_start || e->Site + 5 > (ULONG_PTR)__text_end)$/)/
