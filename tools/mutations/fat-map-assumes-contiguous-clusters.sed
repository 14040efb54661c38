# file: drivers/fat/fattable.c
# suites: fs,fshost,fsstack
# rule: a transfer's disk runs follow the file's cluster chain, not the next cluster number
s/^        if (V != C + 1 || N == Max) {$/        if (N == Max) {/
