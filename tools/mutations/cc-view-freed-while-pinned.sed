# file: kernel/cc/ccview.c
# suites: smpfs,cache
# rule: a view that leaves the cache while a reader copies out of it keeps its memory until the last unpin
s/^    if (__atomic_fetch_or(&View->Pins, CCP_VIEW_LEFT, __ATOMIC_ACQ_REL) != 0)$/    if (__atomic_fetch_or(\&View->Pins, CCP_VIEW_LEFT, __ATOMIC_ACQ_REL) \&\& 0)/
