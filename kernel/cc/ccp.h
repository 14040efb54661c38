/* kernel/cc/ccp.h - cache manager internals: shared and private cache maps, 256 KiB views with a
 * valid and a dirty bit per page, the one lock, and the LRU list the working-set limit trims. */
#pragma once
#include <ntifs.h>
#include "../ke/ki.h"

#define CC_PAGES_PER_VIEW (CC_VIEW_SIZE / PAGE_SIZE)
#define CC_ALL_PAGES (~0ull) /* CC_PAGES_PER_VIEW == 64: one bit per page */
#define CC_PAGE_BIT(p) (1ull << (p))
_Static_assert(CC_PAGES_PER_VIEW == 64, "the page masks are 64 bits");
#define CC_TAG 'wVcC'
#define CC_MAP_TAG 'pMcC'

typedef struct _SHARED_CACHE_MAP SHARED_CACHE_MAP, *PSHARED_CACHE_MAP;

/* 256 KiB of one file, resident in nonpaged memory while it is in the cache. */
typedef struct _CC_VIEW {
    LIST_ENTRY Lru;             /* CcpLru: oldest use first */
    PSHARED_CACHE_MAP Map;
    ULONG Index;                /* file offset / CC_VIEW_SIZE */
    ULONG64 Valid, Dirty;       /* one bit per page */
    ULONG64 DirtySince;         /* interrupt time of the first write since it was clean */
    PUCHAR Data;
    volatile LONG Pins;         /* readers copying out of Data without the lock (CcpPinView) */
    volatile BOOLEAN Referenced; /* read without the lock since reclaim last looked: a second chance */
} CC_VIEW, *PCC_VIEW;
/* Pins: a view that leaves the cache while pinned is detached at once and its memory kept
 * until the last reader unpins it (the pin count and this bit change in one atomic word).
 * CC_VIEW records are never given back to the pool (only their Data is), so a reader holding
 * a stale pointer to one (PRIVATE_CACHE_MAP.Hint) pins, finds Map or Index changed, unpins. */
#define CCP_VIEW_LEFT 0x40000000

struct _SHARED_CACHE_MAP {
    LIST_ENTRY Link;            /* CcpMaps */
    PSECTION_OBJECT_POINTERS Sop;
    PFILE_OBJECT FileObject;    /* paging I/O goes down on this one */
    LIST_ENTRY Privates;
    ULONG OpenCount;            /* private cache maps */
    CC_FILE_SIZES Sizes;
    CACHE_MANAGER_CALLBACKS Callbacks;
    PVOID LazyWriteContext;
    PCC_VIEW *Views;            /* Slots entries, NULL when not resident */
    ULONG Slots;
    ULONG DirtyViews;
};

/* One per cached FILE_OBJECT (FileObject->PrivateCacheMap): its sequential-read detector. */
typedef struct _PRIVATE_CACHE_MAP {
    LIST_ENTRY Link;
    PFILE_OBJECT FileObject;
    PSHARED_CACHE_MAP Map;
    ULONG64 NextRead;           /* where a sequential read would start */
    PCC_VIEW Hint;              /* the view this file object read last (no reference: see Pins) */
    ULONG ReadAheadDoneIn;      /* 1 + the view whose successor read-ahead has brought in */
} PRIVATE_CACHE_MAP, *PPRIVATE_CACHE_MAP;

extern FAST_MUTEX CcpLock;      /* everything below, held across paging I/O (APC_LEVEL) */
extern LIST_ENTRY CcpMaps, CcpLru;
extern CC_STATISTICS CcpStats;
extern ULONG CcpLimitViews;

VOID CcpEnsureInitialized(void);             /* PASSIVE_LEVEL: the lock and the lazy writer */
FORCEINLINE PSHARED_CACHE_MAP CcpMapOf(PSECTION_OBJECT_POINTERS Sop) { return Sop ? Sop->SharedCacheMap : NULL; }
FORCEINLINE ULONG64 CcpViewOffset(PCC_VIEW View) { return (ULONG64)View->Index * CC_VIEW_SIZE; }

/* Views (ccview.c), lock held. */
PCC_VIEW CcpLookupView(PSHARED_CACHE_MAP Map, ULONG Index);
PCC_VIEW CcpGetView(PSHARED_CACHE_MAP Map, ULONG Index); /* creates; NULL without memory */
VOID CcpTouchView(PCC_VIEW View);
VOID CcpMarkDirty(PCC_VIEW View, ULONG64 Pages);
VOID CcpFreeView(PCC_VIEW View);             /* dirty data is dropped: flush first */
/* Lock held: the caller may copy out of View->Data after releasing the lock. */
FORCEINLINE VOID CcpPinView(PCC_VIEW View) { __atomic_add_fetch(&View->Pins, 1, __ATOMIC_RELAXED); }
/* Lock not held: a pin on a view found without the lock, which may have left the cache (its
 * Map is NULL then, or another view's: the caller checks after pinning, and unpins either way). */
FORCEINLINE VOID CcpPinFoundView(PCC_VIEW View) { __atomic_add_fetch(&View->Pins, 1, __ATOMIC_ACQUIRE); }
VOID CcpUnpinView(PCC_VIEW View);            /* lock not held */
extern VOID (*CcpTestPinnedCopyHook)(PFILE_OBJECT FileObject);
VOID CcpFreeAllViews(PSHARED_CACHE_MAP Map);

/* Paging I/O (ccio.c), lock held. */
NTSTATUS CcpReadPages(PSHARED_CACHE_MAP Map, PCC_VIEW View, ULONG64 Wanted);
NTSTATUS CcpWriteView(PSHARED_CACHE_MAP Map, PCC_VIEW View);
NTSTATUS CcpFlushMap(PSHARED_CACHE_MAP Map, ULONG64 Offset, ULONG64 Length);

/* Lazy writer (cclazy.c). */
VOID CcpStartLazyWriter(void);
