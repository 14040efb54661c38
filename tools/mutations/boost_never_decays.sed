# A boosted thread keeps its boost for ever.
# file: kernel/ke/boost.c
# suites: boost
s/    Thread->Priority--;/    Thread->Priority += 0;/
