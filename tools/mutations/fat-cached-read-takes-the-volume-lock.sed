# file: drivers/fat/fsdfastio.c
# catches: fastio.a_cached_read_needs_no_volume_lock_and_still_stops_at_the_end
# rule: a cached fast read reads the size without FAT's volume lock (Wait FALSE does not fall back for it)
s/^    ULONG64 size = FatQueryFileSize(fcb->File);$/    ULONG64 size = FatFsdTryLock(DeviceObject->DeviceExtension) ? (FatFsdUnlock(DeviceObject->DeviceExtension), FatQueryFileSize(fcb->File)) : 0;/
