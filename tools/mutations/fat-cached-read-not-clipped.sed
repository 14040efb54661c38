# file: drivers/fat/fsdfastio.c
# suites: fastio,fs,fsstack
# rule: a cached fast read across the end returns the bytes up to the end
s/^    if ((ULONG64)offset + Length > size)$/    if (0)/
