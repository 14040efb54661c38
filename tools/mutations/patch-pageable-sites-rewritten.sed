# file: kernel/ke/patch.c
# suites: kepatch
# rule: only .text sites are rewritten (pageable and INIT code keep the jmp that tests the switches)
s/^    return E->Site >= (ULONG_PTR)__text_start && E->Site + 5 <= (ULONG_PTR)__text_end;$/    return E != NULL;/
