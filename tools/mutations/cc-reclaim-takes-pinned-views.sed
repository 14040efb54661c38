# file: kernel/cc/ccview.c
# suites: smpfs,cache
# rule: reclaim passes over a view a reader is copying out of (and then must not reuse its memory)
s/^        if (v == Keep || v->Pins) \/\* a reader copies out of it now \*\/$/        if (v == Keep)/
s/^    if (!__atomic_compare_exchange_n(&View->Pins, &left, 0, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))$/    if ((__atomic_exchange_n(\&View->Pins, 0, __ATOMIC_ACQ_REL) \& 0) \&\& left)/
