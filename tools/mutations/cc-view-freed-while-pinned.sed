# file: kernel/cc/ccview.c
# suites: smpfs,cache
# rule: a view that leaves the cache while a reader copies out of it keeps its memory until the last unpin
s/^    if (!__atomic_compare_exchange_n(&View->Pins, &left, 0, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))$/    if ((__atomic_exchange_n(\&View->Pins, 0, __ATOMIC_ACQ_REL) \& 0) \&\& left)/
