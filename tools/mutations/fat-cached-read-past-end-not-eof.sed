# file: drivers/fat/fsdfastio.c
# suites: fastio,fs,fsstack
# rule: a cached fast read at or past the end answers STATUS_END_OF_FILE
s/^    else if (Length && (ULONG64)offset >= size)$/    else if (0)/
