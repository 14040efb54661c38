# file: kernel/cc/ccview.c
# suites: smpfs,cache
# rule: reclaim passes over a view a reader is copying out of (and then must not reuse its memory)
s/^        if (v == Keep || v->Pins) \/\* a reader copies out of it now \*\/$/        if (v == Keep)/
s/^    if (__atomic_fetch_or(&View->Pins, CCP_VIEW_LEFT, __ATOMIC_ACQ_REL) != 0)$/    if (__atomic_fetch_or(\&View->Pins, CCP_VIEW_LEFT, __ATOMIC_ACQ_REL) \&\& 0)/
