/* wdm/cc.h - the cache manager and the FsRtl shapes a file system shares with it, as ntifs.h
 * declares them: the common FCB header, section object pointers, Cc calls and fast-I/O hints. */
#pragma once
#include <wdm/io.h>

/* FileObject->SectionObjectPointer points at one of these in the FCB: every file object of
 * one file shares it, so they share one cache (SharedCacheMap is the cache manager's). */
typedef struct _SECTION_OBJECT_POINTERS {
    PVOID DataSectionObject;
    PVOID SharedCacheMap;
    PVOID ImageSectionObject;
} SECTION_OBJECT_POINTERS, *PSECTION_OBJECT_POINTERS;

typedef enum _FAST_IO_POSSIBLE { FastIoIsNotPossible = 0, FastIoIsPossible, FastIoIsQuestionable } FAST_IO_POSSIBLE;

struct _ERESOURCE;
/* FileObject->FsContext of a cached file points at a structure that starts with this. */
typedef struct _FSRTL_COMMON_FCB_HEADER {
    CSHORT NodeTypeCode;
    CSHORT NodeByteSize;
    UCHAR Flags;
    UCHAR IsFastIoPossible;     /* FAST_IO_POSSIBLE */
    UCHAR Flags2;
    UCHAR Reserved : 4;
    UCHAR Version : 4;
    struct _ERESOURCE *Resource;
    struct _ERESOURCE *PagingIoResource;
    LARGE_INTEGER AllocationSize;
    LARGE_INTEGER FileSize;
    LARGE_INTEGER ValidDataLength;
} FSRTL_COMMON_FCB_HEADER, *PFSRTL_COMMON_FCB_HEADER;

typedef struct _CC_FILE_SIZES {
    LARGE_INTEGER AllocationSize;
    LARGE_INTEGER FileSize;
    LARGE_INTEGER ValidDataLength;
} CC_FILE_SIZES, *PCC_FILE_SIZES;

/* The lazy writer and read-ahead take the file system's locks through these (Context is the
 * LazyWriteContext given to CcInitializeCacheMap). */
typedef BOOLEAN ACQUIRE_FOR_LAZY_WRITE(PVOID Context, BOOLEAN Wait);
typedef ACQUIRE_FOR_LAZY_WRITE *PACQUIRE_FOR_LAZY_WRITE;
typedef VOID RELEASE_FROM_LAZY_WRITE(PVOID Context);
typedef RELEASE_FROM_LAZY_WRITE *PRELEASE_FROM_LAZY_WRITE;
typedef BOOLEAN ACQUIRE_FOR_READ_AHEAD(PVOID Context, BOOLEAN Wait);
typedef ACQUIRE_FOR_READ_AHEAD *PACQUIRE_FOR_READ_AHEAD;
typedef VOID RELEASE_FROM_READ_AHEAD(PVOID Context);
typedef RELEASE_FROM_READ_AHEAD *PRELEASE_FROM_READ_AHEAD;
typedef struct _CACHE_MANAGER_CALLBACKS {
    PACQUIRE_FOR_LAZY_WRITE AcquireForLazyWrite;
    PRELEASE_FROM_LAZY_WRITE ReleaseFromLazyWrite;
    PACQUIRE_FOR_READ_AHEAD AcquireForReadAhead;
    PRELEASE_FROM_READ_AHEAD ReleaseFromReadAhead;
} CACHE_MANAGER_CALLBACKS, *PCACHE_MANAGER_CALLBACKS;

typedef struct _CACHE_UNINITIALIZE_EVENT {
    struct _CACHE_UNINITIALIZE_EVENT *Next;
    KEVENT Event;
} CACHE_UNINITIALIZE_EVENT, *PCACHE_UNINITIALIZE_EVENT;

#define CcIsFileCached(FO)                                                                    \
    ((FO)->SectionObjectPointer != NULL &&                                                    \
     ((PSECTION_OBJECT_POINTERS)(FO)->SectionObjectPointer)->SharedCacheMap != NULL)

/* All at IRQL < DISPATCH_LEVEL (PASSIVE_LEVEL or APC_LEVEL), as Microsoft documents them. */
VOID CcInitializeCacheMap(PFILE_OBJECT FileObject, PCC_FILE_SIZES FileSizes, BOOLEAN PinAccess,
                          PCACHE_MANAGER_CALLBACKS Callbacks, PVOID LazyWriteContext);
BOOLEAN CcUninitializeCacheMap(PFILE_OBJECT FileObject, PLARGE_INTEGER TruncateSize,
                               PCACHE_UNINITIALIZE_EVENT UninitializeCompleteEvent);
BOOLEAN CcCopyRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait, PVOID Buffer,
                   PIO_STATUS_BLOCK IoStatus);
BOOLEAN CcCopyWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait, PVOID Buffer);
VOID CcFlushCache(PSECTION_OBJECT_POINTERS SectionObjectPointer, PLARGE_INTEGER FileOffset, ULONG Length,
                  PIO_STATUS_BLOCK IoStatus);
BOOLEAN CcPurgeCacheSection(PSECTION_OBJECT_POINTERS SectionObjectPointer, PLARGE_INTEGER FileOffset, ULONG Length,
                            BOOLEAN UninitializeCacheMaps);
VOID CcSetFileSizes(PFILE_OBJECT FileObject, PCC_FILE_SIZES FileSizes);

/* IRQLab: what the cache manager did since boot (or the last reset), for tests and bench. */
typedef struct _CC_STATISTICS {
    ULONG64 CopyReads, CopyReadHits, CopyWrites, CopyWaitFailures;
    ULONG64 UnlockedCopyReads; /* hits through the file object's last view, without the cache lock */
    ULONG64 PagingReads, PagingReadBytes, ReadAheads;
    ULONG64 PagingWrites, PagingWriteBytes;
    ULONG64 LazyWriterScans, LazyWriterViews;  /* views the lazy writer wrote back */
    ULONG64 FlushViews, PurgedViews;
    ULONG64 CleanEvictions, DirtyEvictions;    /* reclaimed under the working-set limit */
    ULONG64 LostDelayedWrites; /* maps deleted with dirty data whose write failed: lost, and reported */
    ULONG ResidentViews, DirtyViews, SharedMaps, WorkingSetLimitPages;
    ULONG LazyWriteDelayMs;
} CC_STATISTICS, *PCC_STATISTICS;
VOID CcQueryStatistics(PCC_STATISTICS Statistics); /* IRQL <= APC_LEVEL */
VOID CcResetStatistics(void);                      /* IRQL <= APC_LEVEL; counters only */
#define CC_VIEW_SIZE (256 * 1024) /* one cache view (a VACB's size), the unit of residency and reclaim */
