/* kernel/cc/ccmap.c - shared and private cache maps: CcInitializeCacheMap and
 * CcUninitializeCacheMap, file sizes, flush and purge, and the statistics. */
#include "ccp.h"

FAST_MUTEX CcpLock;
LIST_ENTRY CcpMaps, CcpLru;
CC_STATISTICS CcpStats;
ULONG CcpLimitViews;
static BOOLEAN CcpInitialized;

/* PASSIVE_LEVEL, on the first cache map: the working-set limit (`ccwslimit=PAGES`, default a
 * quarter of memory) and the lazy writer thread. */
VOID CcpEnsureInitialized(void)
{
    if (CcpInitialized)
        return;
    MM_PAGING_STATISTICS mm;
    MmQueryPagingStatistics(&mm);
    ULONG64 pages = KiGetBootOptionNumber("ccwslimit", mm.TotalPhysicalPages / 4);
    if (pages < 2 * CC_PAGES_PER_VIEW)
        pages = 2 * CC_PAGES_PER_VIEW; /* a copy may span two views */
    CcpLimitViews = (ULONG)(pages / CC_PAGES_PER_VIEW);
    CcpStats.WorkingSetLimitPages = CcpLimitViews * CC_PAGES_PER_VIEW;
    ExInitializeFastMutex(&CcpLock);
    InitializeListHead(&CcpMaps);
    InitializeListHead(&CcpLru);
    CcpInitialized = TRUE;
    CcpStartLazyWriter();
}

/* IRQL < DISPATCH_LEVEL. Caches the file behind FileObject: the first call for a file makes
 * its shared cache map (SectionObjectPointer->SharedCacheMap), each file object gets a
 * private one. PinAccess is accepted and ignored: there is no pinning interface. */
VOID CcInitializeCacheMap(PFILE_OBJECT FileObject, PCC_FILE_SIZES FileSizes, BOOLEAN PinAccess,
                          PCACHE_MANAGER_CALLBACKS Callbacks, PVOID LazyWriteContext)
{
    UNREFERENCED_PARAMETER(PinAccess);
    CcpEnsureInitialized();
    ExAcquireFastMutex(&CcpLock);
    PSECTION_OBJECT_POINTERS sop = FileObject->SectionObjectPointer;
    PSHARED_CACHE_MAP map = sop->SharedCacheMap;
    if (!map) {
        map = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*map), CC_MAP_TAG);
        if (!map)
            goto out; /* the file stays uncached: CcCopyRead/Write answer FALSE */
        map->Sop = sop;
        map->Sizes = *FileSizes;
        map->Callbacks = *Callbacks;
        map->LazyWriteContext = LazyWriteContext;
        InitializeListHead(&map->Privates);
        InsertTailList(&CcpMaps, &map->Link);
        sop->SharedCacheMap = map;
        CcpStats.SharedMaps++;
    }
    if (!FileObject->PrivateCacheMap) {
        PPRIVATE_CACHE_MAP priv = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*priv), CC_MAP_TAG);
        if (priv) {
            priv->FileObject = FileObject;
            priv->Map = map;
            InsertTailList(&map->Privates, &priv->Link);
            map->OpenCount++;
            FileObject->PrivateCacheMap = priv;
            if (!map->FileObject)
                map->FileObject = FileObject;
        }
    }
out:
    ExReleaseFastMutex(&CcpLock);
}

/* Lock held. Drops what lies past NewSize: whole views go, the view holding the new end loses
 * its later pages and the tail of its last page is zeroed, so a later extension reads zeros. */
static VOID CcpTruncate(PSHARED_CACHE_MAP Map, ULONG64 NewSize)
{
    ULONG keep = (ULONG)((NewSize + CC_VIEW_SIZE - 1) / CC_VIEW_SIZE);
    for (ULONG i = keep; i < Map->Slots; i++)
        if (Map->Views[i]) {
            CcpFreeView(Map->Views[i]);
            CcpStats.PurgedViews++;
        }
    PCC_VIEW v = NewSize % CC_VIEW_SIZE ? CcpLookupView(Map, (ULONG)(NewSize / CC_VIEW_SIZE)) : NULL;
    if (v) {
        ULONG in = (ULONG)(NewSize % CC_VIEW_SIZE), firstGone = (in + PAGE_SIZE - 1) / PAGE_SIZE;
        ULONG64 gone = firstGone >= CC_PAGES_PER_VIEW ? 0 : CC_ALL_PAGES << firstGone;
        BOOLEAN wasDirty = v->Dirty != 0;
        v->Valid &= ~gone;
        v->Dirty &= ~gone;
        if (wasDirty && !v->Dirty)
            Map->DirtyViews--, CcpStats.DirtyViews--;
        if (in % PAGE_SIZE)
            RtlZeroMemory(v->Data + in, PAGE_SIZE - in % PAGE_SIZE);
    }
}

/* Lock held. The last private map is gone: dirty data is written (the close case of the lazy
 * writer), then the views and the map go. */
static VOID CcpDeleteMap(PSHARED_CACHE_MAP Map)
{
    /* Windows too drops the data of a write-behind that failed at the last close, but never
     * silently: it raises the "Delayed Write Failed" hard error (STATUS_LOST_WRITEBEHIND_DATA,
     * with the file's name), which a system thread's caller sees in the event log. */
    if (!NT_SUCCESS(CcpFlushMap(Map, 0, ~0ull >> 1))) {
        CcpStats.LostDelayedWrites++;
        IoRaiseInformationalHardError(STATUS_LOST_WRITEBEHIND_DATA, &Map->FileObject->FileName, NULL);
    }
    CcpFreeAllViews(Map);
    RemoveEntryList(&Map->Link);
    Map->Sop->SharedCacheMap = NULL;
    if (Map->Views)
        ExFreePoolWithTag(Map->Views, CC_MAP_TAG);
    ExFreePoolWithTag(Map, CC_MAP_TAG);
    CcpStats.SharedMaps--;
}

/* IRQL < DISPATCH_LEVEL (the file system's cleanup). TruncateSize, when given, drops cached
 * data past it first (a delete passes zero). The event is signalled at once: nothing here is
 * left for later. */
BOOLEAN CcUninitializeCacheMap(PFILE_OBJECT FileObject, PLARGE_INTEGER TruncateSize,
                               PCACHE_UNINITIALIZE_EVENT UninitializeCompleteEvent)
{
    if (!CcpInitialized || !FileObject->SectionObjectPointer) {
        if (UninitializeCompleteEvent)
            KeSetEvent(&UninitializeCompleteEvent->Event, IO_NO_INCREMENT, FALSE);
        return TRUE;
    }
    ExAcquireFastMutex(&CcpLock);
    PSHARED_CACHE_MAP map = FileObject->SectionObjectPointer->SharedCacheMap;
    PPRIVATE_CACHE_MAP priv = FileObject->PrivateCacheMap;
    if (map && TruncateSize)
        CcpTruncate(map, (ULONG64)TruncateSize->QuadPart);
    if (map && priv) {
        RemoveEntryList(&priv->Link);
        ExFreePoolWithTag(priv, CC_MAP_TAG);
        FileObject->PrivateCacheMap = NULL;
        if (--map->OpenCount == 0) {
            map->FileObject = FileObject; /* still open: it carries the last paging writes */
            CcpDeleteMap(map);
        } else if (map->FileObject == FileObject) {
            map->FileObject = CONTAINING_RECORD(map->Privates.Flink, PRIVATE_CACHE_MAP, Link)->FileObject;
        }
    }
    ExReleaseFastMutex(&CcpLock);
    if (UninitializeCompleteEvent)
        KeSetEvent(&UninitializeCompleteEvent->Event, IO_NO_INCREMENT, FALSE);
    return TRUE;
}

/* IRQL < DISPATCH_LEVEL. The file system changed the file's sizes; a smaller FileSize drops
 * the cached data past it. */
VOID CcSetFileSizes(PFILE_OBJECT FileObject, PCC_FILE_SIZES FileSizes)
{
    if (!CcpInitialized)
        return;
    ExAcquireFastMutex(&CcpLock);
    PSHARED_CACHE_MAP map = CcpMapOf(FileObject->SectionObjectPointer);
    if (map) {
        if (FileSizes->FileSize.QuadPart < map->Sizes.FileSize.QuadPart)
            CcpTruncate(map, (ULONG64)FileSizes->FileSize.QuadPart);
        map->Sizes = *FileSizes;
    }
    ExReleaseFastMutex(&CcpLock);
}

/* IRQL < DISPATCH_LEVEL. Writes the dirty cached data of the range (FileOffset NULL: the whole
 * file) to the disk now, with paging writes. */
VOID CcFlushCache(PSECTION_OBJECT_POINTERS SectionObjectPointer, PLARGE_INTEGER FileOffset, ULONG Length,
                  PIO_STATUS_BLOCK IoStatus)
{
    NTSTATUS st = STATUS_SUCCESS;
    if (CcpInitialized) {
        ExAcquireFastMutex(&CcpLock);
        PSHARED_CACHE_MAP map = CcpMapOf(SectionObjectPointer);
        if (map && map->DirtyViews)
            st = FileOffset ? CcpFlushMap(map, (ULONG64)FileOffset->QuadPart, Length ? Length : 1)
                            : CcpFlushMap(map, 0, ~0ull >> 1);
        ExReleaseFastMutex(&CcpLock);
    }
    if (IoStatus) {
        IoStatus->Status = st;
        IoStatus->Information = 0;
    }
}

/* IRQL < DISPATCH_LEVEL. Throws the cached pages of the range away, dirty or not (FileOffset
 * NULL: the whole file); the next cached access reads the disk. UninitializeCacheMaps also
 * ends every private cache map, so the file is no longer cached. */
BOOLEAN CcPurgeCacheSection(PSECTION_OBJECT_POINTERS SectionObjectPointer, PLARGE_INTEGER FileOffset, ULONG Length,
                            BOOLEAN UninitializeCacheMaps)
{
    if (!CcpInitialized)
        return TRUE;
    ExAcquireFastMutex(&CcpLock);
    PSHARED_CACHE_MAP map = CcpMapOf(SectionObjectPointer);
    if (map) {
        ULONG64 from = FileOffset ? (ULONG64)FileOffset->QuadPart : 0;
        ULONG64 to = FileOffset && Length ? from + Length : ~0ull >> 1;
        for (ULONG i = (ULONG)(from / CC_VIEW_SIZE); i < map->Slots && (ULONG64)i * CC_VIEW_SIZE < to; i++) {
            PCC_VIEW v = map->Views[i];
            if (!v)
                continue;
            ULONG64 base = CcpViewOffset(v);
            if (from <= base && to >= base + CC_VIEW_SIZE) {
                CcpFreeView(v);
                CcpStats.PurgedViews++;
                continue;
            }
            for (ULONG p = 0; p < CC_PAGES_PER_VIEW; p++) { /* pages the range touches */
                ULONG64 ps = base + (ULONG64)p * PAGE_SIZE;
                if (ps + PAGE_SIZE > from && ps < to) {
                    ULONG64 bit = CC_PAGE_BIT(p);
                    if ((v->Dirty & bit) && v->Dirty == bit)
                        map->DirtyViews--, CcpStats.DirtyViews--;
                    v->Valid &= ~bit;
                    v->Dirty &= ~bit;
                }
            }
        }
        if (UninitializeCacheMaps) {
            while (!IsListEmpty(&map->Privates)) {
                PPRIVATE_CACHE_MAP priv = CONTAINING_RECORD(RemoveHeadList(&map->Privates), PRIVATE_CACHE_MAP, Link);
                priv->FileObject->PrivateCacheMap = NULL;
                ExFreePoolWithTag(priv, CC_MAP_TAG);
            }
            map->OpenCount = 0;
            CcpFreeAllViews(map);
            RemoveEntryList(&map->Link);
            SectionObjectPointer->SharedCacheMap = NULL;
            if (map->Views)
                ExFreePoolWithTag(map->Views, CC_MAP_TAG);
            ExFreePoolWithTag(map, CC_MAP_TAG);
            CcpStats.SharedMaps--;
        }
    }
    ExReleaseFastMutex(&CcpLock);
    return TRUE;
}

/* IRQL <= APC_LEVEL. */
VOID CcQueryStatistics(PCC_STATISTICS Statistics)
{
    if (CcpInitialized)
        ExAcquireFastMutex(&CcpLock);
    *Statistics = CcpStats;
    if (CcpInitialized)
        ExReleaseFastMutex(&CcpLock);
    /* a read without the lock counts once, as itself: it was a copy read, and a hit */
    Statistics->CopyReads += Statistics->UnlockedCopyReads;
    Statistics->CopyReadHits += Statistics->UnlockedCopyReads;
}

/* IRQL <= APC_LEVEL. Zeroes the event counters; the gauges (resident, dirty, maps) stay. */
VOID CcResetStatistics(void)
{
    if (CcpInitialized)
        ExAcquireFastMutex(&CcpLock);
    CC_STATISTICS keep = CcpStats;
    RtlZeroMemory(&CcpStats, FIELD_OFFSET(CC_STATISTICS, ResidentViews));
    CcpStats.ResidentViews = keep.ResidentViews;
    if (CcpInitialized)
        ExReleaseFastMutex(&CcpLock);
}
