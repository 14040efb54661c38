/* kernel/cc/ccview.c - cache views: lookup and creation in a map's view table, the LRU order,
 * and reclaim under the cache's working-set limit (clean views first, dirty ones written first). */
#include "ccp.h"

static BOOLEAN CcpGrowTable(PSHARED_CACHE_MAP Map, ULONG Index)
{
    ULONG slots = Map->Slots ? Map->Slots : 16;
    while (slots <= Index)
        slots *= 2;
    PCC_VIEW *t = ExAllocatePool2(POOL_FLAG_NON_PAGED, slots * sizeof(PCC_VIEW), CC_MAP_TAG);
    if (!t)
        return FALSE;
    if (Map->Views) {
        RtlCopyMemory(t, Map->Views, Map->Slots * sizeof(PCC_VIEW));
        ExFreePoolWithTag(Map->Views, CC_MAP_TAG);
    }
    Map->Views = t;
    Map->Slots = slots;
    return TRUE;
}

PCC_VIEW CcpLookupView(PSHARED_CACHE_MAP Map, ULONG Index)
{
    return Index < Map->Slots ? Map->Views[Index] : NULL;
}

VOID CcpTouchView(PCC_VIEW View)
{
    if (CcpLru.Blink == &View->Lru) /* already the most recent: the common case of a run of reads */
        return;
    RemoveEntryList(&View->Lru);
    InsertTailList(&CcpLru, &View->Lru);
}

VOID CcpMarkDirty(PCC_VIEW View, ULONG64 Pages)
{
    if (!View->Dirty) {
        View->DirtySince = KeQueryInterruptTime();
        View->Map->DirtyViews++;
        CcpStats.DirtyViews++;
    }
    View->Dirty |= Pages;
}

/* Views that left the cache keep their memory on this list, up to the working-set limit, so
 * the next file's views cost no pool allocation (Windows keeps its VACBs the same way). A
 * record whose Data went back to the pool waits on the spare list: records are never freed,
 * so a stale hint is never a pointer into freed memory (ccp.h, CCP_VIEW_LEFT). */
static LIST_ENTRY CcpFreeViews = { &CcpFreeViews, &CcpFreeViews };
static LIST_ENTRY CcpSpareViews = { &CcpSpareViews, &CcpSpareViews };
static ULONG CcpFreeCount;

/* Lock held. A view out of the cache with no pins left: to the free list, or its memory back to
 * the pool. Exactly one caller turns Pins from CCP_VIEW_LEFT to 0; a reader that pinned the view
 * meanwhile (through a stale hint) retires it at its unpin instead. */
static VOID CcpRetireView(PCC_VIEW View)
{
    LONG left = CCP_VIEW_LEFT;
    if (!__atomic_compare_exchange_n(&View->Pins, &left, 0, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        return;
    if (CcpStats.ResidentViews + CcpFreeCount < CcpLimitViews) {
        InsertHeadList(&CcpFreeViews, &View->Lru);
        CcpFreeCount++;
        return;
    }
    ExFreePoolWithTag(View->Data, CC_TAG);
    View->Data = NULL;
    InsertHeadList(&CcpSpareViews, &View->Lru);
}

VOID CcpFreeView(PCC_VIEW View)
{
    if (View->Dirty) {
        View->Map->DirtyViews--;
        CcpStats.DirtyViews--;
    }
    RemoveEntryList(&View->Lru);
    View->Map->Views[View->Index] = NULL;
    __atomic_store_n(&View->Map, NULL, __ATOMIC_RELEASE);
    CcpStats.ResidentViews--;
    /* a reader still copying out of it: its last unpin gives the memory back */
    __atomic_fetch_or(&View->Pins, CCP_VIEW_LEFT, __ATOMIC_ACQ_REL);
    CcpRetireView(View);
}

/* IRQL < DISPATCH_LEVEL, lock not held. The last unpin of a view that left the cache meanwhile
 * frees it (CcpRetireView decides between racing unpins). */
VOID CcpUnpinView(PCC_VIEW View)
{
    if (__atomic_sub_fetch(&View->Pins, 1, __ATOMIC_ACQ_REL) != CCP_VIEW_LEFT)
        return;
    ExAcquireFastMutex(&CcpLock);
    CcpRetireView(View);
    ExReleaseFastMutex(&CcpLock);
}

/* Lock held. Gives the free list's memory back to the pool (the pool ran short). */
static BOOLEAN CcpReleaseFreeView(void)
{
    if (IsListEmpty(&CcpFreeViews))
        return FALSE;
    PCC_VIEW v = CONTAINING_RECORD(RemoveHeadList(&CcpFreeViews), CC_VIEW, Lru);
    CcpFreeCount--;
    ExFreePoolWithTag(v->Data, CC_TAG);
    v->Data = NULL;
    InsertHeadList(&CcpSpareViews, &v->Lru);
    return TRUE;
}

VOID CcpFreeAllViews(PSHARED_CACHE_MAP Map)
{
    for (ULONG i = 0; i < Map->Slots; i++)
        if (Map->Views[i])
            CcpFreeView(Map->Views[i]);
}

/* The oldest view that is not Keep: clean ones are dropped as they are; when every view is
 * dirty the oldest is written back first, as the memory manager's modified writer would. A
 * view read without the lock since the last look (Referenced) gets a second chance: it goes
 * to the young end, as if those reads had touched it (the clock approximation of LRU). */
static BOOLEAN CcpReclaimOne(PCC_VIEW Keep)
{
    PCC_VIEW dirty = NULL;
    for (PLIST_ENTRY e = CcpLru.Flink, next; e != &CcpLru; e = next) {
        PCC_VIEW v = CONTAINING_RECORD(e, CC_VIEW, Lru);
        next = e->Flink;
        if (v->Referenced) {
            v->Referenced = FALSE;
            if (next != &CcpLru) { /* the youngest already: judged now */
                RemoveEntryList(e);
                InsertTailList(&CcpLru, e);
                continue;
            }
        }
        if (v == Keep || v->Pins) /* a reader copies out of it now */
            continue;
        if (!v->Dirty) {
            CcpFreeView(v);
            CcpStats.CleanEvictions++;
            return TRUE;
        }
        if (!dirty)
            dirty = v;
    }
    if (!dirty || !NT_SUCCESS(CcpWriteView(dirty->Map, dirty)) || dirty->Dirty)
        return FALSE;
    CcpFreeView(dirty);
    CcpStats.DirtyEvictions++;
    return TRUE;
}

/* A resident view for Index, created empty (nothing valid) if needed. NULL: no memory. */
PCC_VIEW CcpGetView(PSHARED_CACHE_MAP Map, ULONG Index)
{
    PCC_VIEW v = CcpLookupView(Map, Index);
    if (v) {
        CcpTouchView(v);
        return v;
    }
    if (Index >= Map->Slots && !CcpGrowTable(Map, Index))
        return NULL;
    while (CcpStats.ResidentViews >= CcpLimitViews && CcpReclaimOne(NULL))
        ;
    PUCHAR data = NULL;
    if (!IsListEmpty(&CcpFreeViews)) {
        v = CONTAINING_RECORD(RemoveHeadList(&CcpFreeViews), CC_VIEW, Lru);
        CcpFreeCount--;
        data = v->Data;
    } else {
        v = IsListEmpty(&CcpSpareViews) ? ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*v), CC_TAG)
                                        : CONTAINING_RECORD(RemoveHeadList(&CcpSpareViews), CC_VIEW, Lru);
        data = v ? ExAllocatePoolWithTag(NonPagedPool, CC_VIEW_SIZE, CC_TAG) : NULL;
        /* the pool is short: give back cached memory, free views first */
        while (v && !data && (CcpReleaseFreeView() || CcpReclaimOne(NULL)))
            data = ExAllocatePoolWithTag(NonPagedPool, CC_VIEW_SIZE, CC_TAG);
    }
    if (!data) {
        if (v)
            InsertHeadList(&CcpSpareViews, &v->Lru);
        return NULL;
    }
    /* Pins is left alone: a reader holding a stale hint may have a pin on the record now. Map
     * goes last, so a reader that sees it sees this incarnation's Index and empty Valid. */
    v->Data = data;
    v->Index = Index;
    v->Valid = v->Dirty = 0;
    v->Referenced = FALSE;
    __atomic_store_n(&v->Map, Map, __ATOMIC_RELEASE);
    InsertTailList(&CcpLru, &v->Lru);
    Map->Views[Index] = v;
    CcpStats.ResidentViews++;
    return v;
}
