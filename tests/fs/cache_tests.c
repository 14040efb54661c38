/* tests/fs/cache_tests.c - the cache manager under FAT: coherence between cached and non-cached
 * handles, the lazy writer's delay (virtual time), close and unmount, truncation, delete, and
 * reclaim under the cache's working-set limit. The disk is checked below FAT and the cache. */
#include "fsutil.h"
#include <ntifs.h>
#include "../../drivers/fat/fsd.h"
#include "../../kernel/cc/ccp.h"

static UCHAR CtBuf[6 * CC_VIEW_SIZE], CtBack[6 * CC_VIEW_SIZE];

/* A sector nobody else writes: seeded per test, and never all one byte. */
static VOID CtSector(PUCHAR Sector, ULONG Seed)
{
    FsPattern(Sector, 512, Seed * 7919 + 17);
}

KTEST(cache, cached_and_noncached_handles_see_the_same_data)
{
    HANDLE c, n;
    ULONG done;
    FsPattern(CtBuf, 3 * CC_VIEW_SIZE, 1);
    KT_STATUS(FsOpen(L"\\COHERE.BIN", FILE_OVERWRITE_IF, 0, &c, NULL), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\COHERE.BIN", FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &n, NULL), STATUS_SUCCESS);
    /* cached write, still dirty in the cache: the non-cached read flushes it first */
    KT_STATUS(FsWriteAt(c, 0, CtBuf, 3 * CC_VIEW_SIZE, &done), STATUS_SUCCESS);
    CC_STATISTICS cc;
    CcQueryStatistics(&cc);
    KT_ASSERT(cc.DirtyViews >= 3);
    RtlZeroMemory(CtBack, 3 * CC_VIEW_SIZE);
    KT_STATUS(FsReadAt(n, 1000, CtBack, 2 * CC_VIEW_SIZE, &done), STATUS_SUCCESS);
    KT_EQ(done, 2 * CC_VIEW_SIZE);
    KT_ASSERT(RtlEqualMemory(CtBack, CtBuf + 1000, 2 * CC_VIEW_SIZE));
    /* non-cached write over cached data: the cached copy of the range is purged */
    FsPattern(CtBuf + 70000, 5000, 2);
    KT_STATUS(FsWriteAt(n, 70000, CtBuf + 70000, 5000, &done), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(c, 0, CtBack, 3 * CC_VIEW_SIZE, &done), STATUS_SUCCESS);
    KT_EQ(done, 3 * CC_VIEW_SIZE);
    KT_ASSERT(RtlEqualMemory(CtBack, CtBuf, 3 * CC_VIEW_SIZE));
    /* a non-cached write that grows the file: the cache learns the new end */
    FsPattern(CtBuf + 3 * CC_VIEW_SIZE, 4096, 3);
    KT_STATUS(FsWriteAt(n, 3 * CC_VIEW_SIZE, CtBuf + 3 * CC_VIEW_SIZE, 4096, &done), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(c, 3 * CC_VIEW_SIZE - 100, CtBack, 4196, &done), STATUS_SUCCESS);
    KT_EQ(done, 4196);
    KT_ASSERT(RtlEqualMemory(CtBack, CtBuf + 3 * CC_VIEW_SIZE - 100, 4196));
    ZwClose(n);
    ZwClose(c);
}

/* Virtual time: the boot runs under -icount, so the delay is the same however loaded the host. */
KTEST(cache, lazy_writer_writes_dirty_data_back_within_its_delay)
{
    static UCHAR sector[512];
    CC_STATISTICS before, dirty, after;
    HANDLE h;
    ULONG done;
    PFSD_VCB vcb;
    CtSector(sector, 1);
    KT_STATUS(FsOpen(L"\\LAZY.BIN", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS);
    vcb = FsMountedVcb();
    KT_ASSERT(vcb != NULL);
    ULONG acquires = vcb->LazyWriteAcquires;
    CcQueryStatistics(&before);
    KT_STATUS(FsWriteAt(h, 4096, sector, 512, &done), STATUS_SUCCESS);
    CcQueryStatistics(&dirty);
    KT_EQ(dirty.DirtyViews, before.DirtyViews + 1);
    KT_ASSERT(!FsDiskHoldsSector(sector));            /* only in the cache so far */
    LARGE_INTEGER wait;
    wait.QuadPart = -(LONGLONG)dirty.LazyWriteDelayMs * 10000 * 3 / 2; /* the delay + one scan period */
    KeDelayExecutionThread(KernelMode, FALSE, &wait);
    CcQueryStatistics(&after);
    KT_ASSERT(FsDiskHoldsSector(sector));             /* the lazy writer put it there */
    KT_EQ(after.DirtyViews, before.DirtyViews);
    KT_ASSERT(after.LazyWriterViews > dirty.LazyWriterViews);
    KT_ASSERT(vcb->LazyWriteAcquires > acquires);      /* through FAT's callback */
    ZwClose(h);
}

/* The lazy writer is kept away (a delay longer than the test); close writes the data. */
KTEST_EX(cache, dirty_data_reaches_the_disk_at_close_and_unmount, 0, "cclazydelay=600000")
{
    static UCHAR a[512], b[512];
    HANDLE h;
    ULONG done;
    CtSector(a, 2);
    CtSector(b, 3);
    KT_STATUS(FsOpen(L"\\CLOSE.BIN", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(h, 0, a, 512, &done), STATUS_SUCCESS);
    KT_ASSERT(!FsDiskHoldsSector(a));
    ZwClose(h); /* last handle: the cache map goes, its dirty pages written first */
    KT_ASSERT(FsDiskHoldsSector(a));
    KT_STATUS(FsOpen(L"\\CLOSE.BIN", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(h, 512, b, 512, &done), STATUS_SUCCESS);
    KT_ASSERT(!FsDiskHoldsSector(b));
    ZwClose(h);
    KT_STATUS(FsDismount(), STATUS_SUCCESS);
    KT_ASSERT(FsDiskHoldsSector(b));
    RtlZeroMemory(CtBack, 1024); /* a fresh mount reads both back from the disk */
    KT_STATUS(FsOpen(L"\\CLOSE.BIN", FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(h, 0, CtBack, 1024, &done), STATUS_SUCCESS);
    KT_EQ(done, 1024);
    KT_ASSERT(RtlEqualMemory(CtBack, a, 512) && RtlEqualMemory(CtBack + 512, b, 512));
    ZwClose(h);
}

KTEST(cache, truncation_drops_cached_data_past_the_new_end)
{
    HANDLE h;
    ULONG done;
    FsPattern(CtBuf, 8192, 4);
    KT_STATUS(FsOpen(L"\\TRUNC.BIN", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(h, 0, CtBuf, 8192, &done), STATUS_SUCCESS);
    KT_STATUS(FsSetSize(h, 1000), STATUS_SUCCESS);
    KT_STATUS(FsSetSize(h, 8192), STATUS_SUCCESS);
    RtlFillMemory(CtBack, 8192, 0xEE);
    KT_STATUS(FsReadAt(h, 0, CtBack, 8192, &done), STATUS_SUCCESS);
    KT_EQ(done, 8192);
    KT_ASSERT(RtlEqualMemory(CtBack, CtBuf, 1000));
    for (ULONG i = 1000; i < 8192; i++)
        KT_EQ(CtBack[i], 0);
    ZwClose(h);
}

KTEST_EX(cache, a_deleted_files_dirty_data_is_never_written, 0, "cclazydelay=600000")
{
    static UCHAR s[512];
    CC_STATISTICS before, after;
    HANDLE h;
    ULONG done;
    CtSector(s, 4);
    KT_STATUS(FsOpen(L"\\GONE.BIN", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(h, 0, s, 512, &done), STATUS_SUCCESS);
    CcQueryStatistics(&before);
    KT_STATUS(FsMarkDelete(h), STATUS_SUCCESS);
    ZwClose(h);
    CcQueryStatistics(&after);
    KT_EQ(after.PagingWrites, before.PagingWrites);
    KT_EQ(after.DirtyViews, before.DirtyViews - 1);
    KT_ASSERT(!FsDiskHoldsSector(s));
}

/* Three views at most (ccwslimit=192 pages) and no lazy writer: writing six views must write
 * the oldest dirty ones out before reusing their memory; reading back evicts clean ones, which
 * costs no write. */
KTEST_EX(cache, memory_pressure_evicts_clean_views_and_writes_dirty_ones_first, 0,
         "ccwslimit=192 cclazydelay=600000")
{
    CC_STATISTICS s0, s1, s2, s3;
    HANDLE h;
    ULONG done;
    FsPattern(CtBuf, sizeof(CtBuf), 5);
    KT_STATUS(FsOpen(L"\\PRESSURE.BIN", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS);
    CcQueryStatistics(&s0);
    for (ULONG v = 0; v < 6; v++)
        KT_STATUS(FsWriteAt(h, v * CC_VIEW_SIZE, CtBuf + v * CC_VIEW_SIZE, CC_VIEW_SIZE, &done), STATUS_SUCCESS);
    CcQueryStatistics(&s1);
    KT_EQ(s1.WorkingSetLimitPages, 192);
    KT_ASSERT(s1.ResidentViews <= 3);
    KT_EQ(s1.DirtyEvictions - s0.DirtyEvictions, 3); /* views 0-2 made room for 3-5 */
    KT_EQ(s1.PagingWrites - s0.PagingWrites, 3);
    KT_ASSERT(FsDiskHoldsSector(CtBuf));              /* view 0 really went to the disk */
    /* reading back: view 0 needs room and every view is dirty, so the oldest (3) is written
     * out; from then on the clean views read back are the ones evicted, and 4-5 stay dirty */
    KT_STATUS(FsReadAt(h, 0, CtBack, sizeof(CtBack), &done), STATUS_SUCCESS);
    KT_EQ(done, sizeof(CtBack));
    KT_ASSERT(RtlEqualMemory(CtBack, CtBuf, sizeof(CtBuf)));
    CcQueryStatistics(&s2);
    KT_EQ(s2.DirtyEvictions - s1.DirtyEvictions, 1);
    KT_EQ(s2.CleanEvictions - s1.CleanEvictions, 3);
    KT_EQ(s2.DirtyViews, 2);
    /* a second pass: only clean evictions, no writes at all */
    RtlZeroMemory(CtBack, sizeof(CtBack));
    KT_STATUS(FsReadAt(h, 0, CtBack, sizeof(CtBack), &done), STATUS_SUCCESS);
    KT_ASSERT(RtlEqualMemory(CtBack, CtBuf, sizeof(CtBuf)));
    CcQueryStatistics(&s3);
    KT_EQ(s3.CleanEvictions - s2.CleanEvictions, 4);
    KT_EQ(s3.DirtyEvictions, s2.DirtyEvictions);
    KT_EQ(s3.PagingWrites, s2.PagingWrites);
    KT_EQ(s3.PagingReads - s2.PagingReads, 4);        /* the evicted views came back from the disk */
    ZwClose(h);
}

/* A view that leaves the cache while a read is copying out of it (pinned, the cache lock
 * released) keeps its memory until that copy is done: here the hook purges file A's view at
 * that very point and reads file B, whose view would take A's memory if it had been given
 * back; the read of A still returns A's bytes. */
static HANDLE CtPinOther;
static ULONG CtPinPurges;
static VOID CtPurgeUnderTheCopy(PFILE_OBJECT FileObject)
{
    ULONG done;
    CcpTestPinnedCopyHook = NULL; /* once, and not for the read of B below */
    if (CcPurgeCacheSection(FileObject->SectionObjectPointer, NULL, 0, FALSE))
        CtPinPurges++;
    FsReadAt(CtPinOther, 0, CtBack + CC_VIEW_SIZE, CC_VIEW_SIZE, &done);
}

KTEST_EX(cache, a_view_purged_while_a_read_copies_out_of_it_keeps_its_bytes, 0, "ccwslimit=128")
{
    CC_STATISTICS s0, s1;
    HANDLE a;
    ULONG done;
    FsPattern(CtBuf, CC_VIEW_SIZE, 21);
    FsPattern(CtBuf + CC_VIEW_SIZE, CC_VIEW_SIZE, 22);
    KT_STATUS(FsWriteFile(L"\\PINA.BIN", CtBuf, CC_VIEW_SIZE), STATUS_SUCCESS);
    KT_STATUS(FsWriteFile(L"\\PINB.BIN", CtBuf + CC_VIEW_SIZE, CC_VIEW_SIZE), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\PINA.BIN", FILE_OPEN, 0, &a, NULL), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\PINB.BIN", FILE_OPEN, 0, &CtPinOther, NULL), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(a, 0, CtBack, 4096, &done), STATUS_SUCCESS); /* A's view is resident */
    CcQueryStatistics(&s0);
    CtPinPurges = 0;
    RtlZeroMemory(CtBack, 2 * CC_VIEW_SIZE);
    CcpTestPinnedCopyHook = CtPurgeUnderTheCopy;
    KT_STATUS(FsReadAt(a, 0, CtBack, CC_VIEW_SIZE, &done), STATUS_SUCCESS);
    CcpTestPinnedCopyHook = NULL;
    CcQueryStatistics(&s1);
    KT_EQ(CtPinPurges, 1);
    KT_EQ(s1.PurgedViews - s0.PurgedViews, 1);          /* A's view left the cache under the copy */
    KT_EQ(done, CC_VIEW_SIZE);
    KT_ASSERT(RtlEqualMemory(CtBack, CtBuf, CC_VIEW_SIZE)); /* ... and the copy still got A's bytes */
    KT_ASSERT(RtlEqualMemory(CtBack + CC_VIEW_SIZE, CtBuf + CC_VIEW_SIZE, CC_VIEW_SIZE)); /* B's read too */
    KT_STATUS(FsReadAt(a, 0, CtBack, CC_VIEW_SIZE, &done), STATUS_SUCCESS); /* and A reads back from disk */
    KT_ASSERT(RtlEqualMemory(CtBack, CtBuf, CC_VIEW_SIZE));
    ZwClose(CtPinOther);
    ZwClose(a);
}

static PPRIVATE_CACHE_MAP CtPrivate(HANDLE H)
{
    PFILE_OBJECT fo;
    if (!NT_SUCCESS(ObReferenceObjectByHandle(H, 0, *IoFileObjectType, KernelMode, (PVOID *)&fo, NULL)))
        return NULL;
    PPRIVATE_CACHE_MAP priv = fo->PrivateCacheMap;
    ObDereferenceObject(fo);
    return priv;
}

/* Reads at 4 KiB into a view, never where the last read ended: no read-ahead makes views. */
static BOOLEAN CtReadMatches(HANDLE H, ULONG64 Offset, const UCHAR *Expected)
{
    ULONG done = 0;
    RtlFillMemory(CtBack, 4096, 0xEE);
    return NT_SUCCESS(FsReadAt(H, (LONGLONG)Offset, CtBack, 4096, &done)) && done == 4096 &&
           RtlEqualMemory(CtBack, Expected, 4096);
}

/* A file object remembers the view it read last and reads it again without the cache lock.
 * That view may have left the cache since, and its record (records are reused, never freed)
 * may hold another file's view or another view of the same file: each is a miss, and the read
 * gets its own bytes through the locked path. Which record each view got is checked, so the
 * stale case really happens. */
KTEST_EX(cache, a_file_objects_last_view_gone_stale_is_a_miss_that_reads_the_right_bytes, 0, "ccwslimit=128")
{
    CC_STATISTICS s0, s1;
    HANDLE a1, a2, b;
    PFILE_OBJECT fa;
    FsPattern(CtBuf, 2 * CC_VIEW_SIZE, 23);                 /* A: two views */
    FsPattern(CtBuf + 2 * CC_VIEW_SIZE, CC_VIEW_SIZE, 24);  /* B: one */
    KT_STATUS(FsWriteFile(L"\\HINTA.BIN", CtBuf, 2 * CC_VIEW_SIZE), STATUS_SUCCESS);
    KT_STATUS(FsWriteFile(L"\\HINTB.BIN", CtBuf + 2 * CC_VIEW_SIZE, CC_VIEW_SIZE), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\HINTA.BIN", FILE_OPEN, 0, &a1, NULL), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\HINTA.BIN", FILE_OPEN, 0, &a2, NULL), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\HINTB.BIN", FILE_OPEN, 0, &b, NULL), STATUS_SUCCESS);
    KT_STATUS(ObReferenceObjectByHandle(a1, 0, *IoFileObjectType, KernelMode, (PVOID *)&fa, NULL), STATUS_SUCCESS);
    KT_ASSERT(CtReadMatches(a1, 4096, CtBuf + 4096));       /* locked: A's view 0 comes in */
    PPRIVATE_CACHE_MAP p1 = CtPrivate(a1), p2, pb;          /* the first read set the cache up */
    KT_ASSERT(p1);
    CcQueryStatistics(&s0);
    KT_ASSERT(CtReadMatches(a1, 16384, CtBuf + 16384));     /* the same view, without the lock */
    CcQueryStatistics(&s1);
    KT_EQ(s1.UnlockedCopyReads - s0.UnlockedCopyReads, 1);
    PCC_VIEW record = p1->Hint;

    /* another file's view in the record */
    KT_ASSERT(CcPurgeCacheSection(fa->SectionObjectPointer, NULL, 0, FALSE));
    KT_ASSERT(CtReadMatches(b, 4096, CtBuf + 2 * CC_VIEW_SIZE + 4096));
    KT_ASSERT((pb = CtPrivate(b)) && pb->Hint == record);                          /* B's view took A's old record */
    CcQueryStatistics(&s0);
    KT_ASSERT(CtReadMatches(a1, 16384, CtBuf + 16384));     /* A's bytes, not B's */
    CcQueryStatistics(&s1);
    KT_EQ(s1.UnlockedCopyReads, s0.UnlockedCopyReads);
    KT_EQ(s1.PagingReads - s0.PagingReads, 1);              /* from the disk */
    record = p1->Hint;

    /* another view of the same file in the record */
    KT_ASSERT(CcPurgeCacheSection(fa->SectionObjectPointer, NULL, 0, FALSE));
    KT_ASSERT(CtReadMatches(a2, CC_VIEW_SIZE + 4096, CtBuf + CC_VIEW_SIZE + 4096));
    KT_ASSERT((p2 = CtPrivate(a2)) && p2->Hint == record);                          /* A's view 1 took view 0's record */
    CcQueryStatistics(&s0);
    KT_ASSERT(CtReadMatches(a1, 16384, CtBuf + 16384));     /* view 0's bytes, not view 1's */
    CcQueryStatistics(&s1);
    KT_EQ(s1.UnlockedCopyReads, s0.UnlockedCopyReads);
    ObDereferenceObject(fa);
    ZwClose(b);
    ZwClose(a2);
    ZwClose(a1);
}

/* The same view, resident, but a page of it not valid: a write past the end made the view and
 * filled only its third page. The view's memory is reused (the free list), so its first page
 * still holds an older file's bytes; a read of that page without the lock must not copy them,
 * it goes to the locked path, which reads the page (zeros: the file grew over it). */
KTEST_EX(cache, a_page_not_valid_in_the_last_view_read_is_read_not_copied_stale, 0, "ccwslimit=128")
{
    CC_STATISTICS s0, s1;
    HANDLE h;
    ULONG done;
    static const UCHAR zeros[4096];
    FsPattern(CtBuf, 2 * CC_VIEW_SIZE, 25);
    KT_STATUS(FsWriteFile(L"\\HINTOLD.BIN", CtBuf, 2 * CC_VIEW_SIZE), STATUS_SUCCESS); /* views to reuse */
    KT_STATUS(FsOpen(L"\\HINTV.BIN", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(h, 8192, CtBuf, 4096, &done), STATUS_SUCCESS); /* page 2 only */
    KT_ASSERT(CtReadMatches(h, 8192, CtBuf));
    PPRIVATE_CACHE_MAP p = CtPrivate(h);
    KT_ASSERT(p && p->Hint && !(p->Hint->Valid & 1));
    KT_ASSERT(!RtlEqualMemory(p->Hint->Data, zeros, sizeof(zeros))); /* stale bytes there */
    CcQueryStatistics(&s0);
    KT_ASSERT(CtReadMatches(h, 0, zeros));
    CcQueryStatistics(&s1);
    KT_EQ(s1.UnlockedCopyReads, s0.UnlockedCopyReads);
    KT_EQ(s1.PagingReads - s0.PagingReads, 1);
    ZwClose(h);
}

/* Reads without the lock do not move a view in the LRU list; they mark it, and reclaim gives a
 * marked view a second chance. Room for two views: X's and Y's come in (X oldest), X is read
 * again without the lock, Z's view needs room: Y's goes, X's stays. */
KTEST_EX(cache, a_view_read_only_without_the_lock_is_not_the_one_reclaim_takes, 0, "ccwslimit=128")
{
    CC_STATISTICS s0, s1, s2;
    HANDLE x, y, z;
    for (ULONG i = 0; i < 3; i++)
        FsPattern(CtBuf + i * CC_VIEW_SIZE, CC_VIEW_SIZE, 26 + i);
    KT_STATUS(FsWriteFile(L"\\LRUX.BIN", CtBuf, CC_VIEW_SIZE), STATUS_SUCCESS);
    KT_STATUS(FsWriteFile(L"\\LRUY.BIN", CtBuf + CC_VIEW_SIZE, CC_VIEW_SIZE), STATUS_SUCCESS);
    KT_STATUS(FsWriteFile(L"\\LRUZ.BIN", CtBuf + 2 * CC_VIEW_SIZE, CC_VIEW_SIZE), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\LRUX.BIN", FILE_OPEN, 0, &x, NULL), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\LRUY.BIN", FILE_OPEN, 0, &y, NULL), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\LRUZ.BIN", FILE_OPEN, 0, &z, NULL), STATUS_SUCCESS);
    KT_ASSERT(CtReadMatches(x, 4096, CtBuf + 4096));
    KT_ASSERT(CtReadMatches(y, 4096, CtBuf + CC_VIEW_SIZE + 4096));
    CcQueryStatistics(&s0);
    KT_ASSERT(CtReadMatches(x, 16384, CtBuf + 16384));      /* X again, without the lock */
    KT_ASSERT(CtReadMatches(z, 4096, CtBuf + 2 * CC_VIEW_SIZE + 4096)); /* needs room */
    CcQueryStatistics(&s1);
    KT_EQ(s1.UnlockedCopyReads - s0.UnlockedCopyReads, 1);
    KT_EQ(s1.CleanEvictions - s0.CleanEvictions, 1);
    KT_ASSERT(CtReadMatches(x, 32768, CtBuf + 32768));      /* X's view stayed: no paging read */
    CcQueryStatistics(&s2);
    KT_EQ(s2.PagingReads, s1.PagingReads);
    KT_ASSERT(CtReadMatches(y, 32768, CtBuf + CC_VIEW_SIZE + 32768)); /* Y's went: read again */
    CcQueryStatistics(&s1);
    KT_EQ(s1.PagingReads - s2.PagingReads, 1);
    ZwClose(z);
    ZwClose(y);
    ZwClose(x);
}

/* Read-ahead is the locked path's: a reader that turns sequential in the middle of a view it
 * already reads without the lock must still get the next view read ahead. */
KTEST(cache, a_reader_turning_sequential_inside_a_view_still_gets_read_ahead)
{
    CC_STATISTICS s0, s1;
    HANDLE h;
    FsPattern(CtBuf, 3 * CC_VIEW_SIZE, 29);
    KT_STATUS(FsWriteFile(L"\\RAMID.BIN", CtBuf, 3 * CC_VIEW_SIZE), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\RAMID.BIN", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
    KT_ASSERT(CtReadMatches(h, 8192, CtBuf + 8192));        /* not where a sequential read starts */
    CcQueryStatistics(&s0);
    KT_EQ(s0.ReadAheads, 0);
    KT_ASSERT(CtReadMatches(h, 20480, CtBuf + 20480));      /* random, without the lock */
    KT_ASSERT(CtReadMatches(h, 24576, CtBuf + 24576));      /* sequential now */
    CcQueryStatistics(&s1);
    KT_EQ(s1.UnlockedCopyReads - s0.UnlockedCopyReads, 1);
    KT_EQ(s1.ReadAheads - s0.ReadAheads, 1);                /* view 1 came in ahead */
    KT_ASSERT(CtReadMatches(h, 28672, CtBuf + 28672));      /* and is not asked for again */
    KT_ASSERT(CtReadMatches(h, CC_VIEW_SIZE + 4096, CtBuf + CC_VIEW_SIZE + 4096));
    CcQueryStatistics(&s0);
    KT_EQ(s0.PagingReads, s1.PagingReads);                  /* view 1 was there */
    KT_EQ(s0.UnlockedCopyReads - s1.UnlockedCopyReads, 1);
    ZwClose(h);
}
