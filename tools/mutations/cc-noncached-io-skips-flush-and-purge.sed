# Non-cached transfers stop flushing and purging the cache (FatFsdCoherentNonCached returns early).
# file: drivers/fat/fsdcache.c
# catches: cache
/^VOID FatFsdCoherentNonCached/,/^}/s/    if (!Fcb->Sop.SharedCacheMap)/    if (1)/
