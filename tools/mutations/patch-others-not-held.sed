# file: kernel/ke/patch.c
# suites: smppatch
# rule: while one processor rewrites the sites the others wait at IPI_LEVEL outside every site
s/^    if (KiActiveProcessorCount <= 1) {$/    if (1) {/
