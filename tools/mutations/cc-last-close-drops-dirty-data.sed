# The last private cache map's going frees the views without writing the dirty ones.
# file: kernel/cc/ccmap.c
# catches: cache
s/^    if (!NT_SUCCESS(CcpFlushMap(Map, 0, ~0ull >> 1))) {$/    if (0 \&\& !NT_SUCCESS(CcpFlushMap(Map, 0, ~0ull >> 1))) {/
