# A smaller file size leaves the cached data past the new end in place.
# file: kernel/cc/ccmap.c
# catches: cache
s/            CcpTruncate(map, (ULONG64)FileSizes->FileSize.QuadPart);/            (void)0;/
