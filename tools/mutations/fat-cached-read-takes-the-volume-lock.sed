# file: drivers/fat/fsdfastio.c
# catches: fastio.a_cached_read_needs_no_volume_lock_and_still_stops_at_the_end
# rule: a cached fast read reads the size without FAT's volume lock (Wait FALSE does not fall back for it)
s/^    if (!Write)$/    if (0)/
