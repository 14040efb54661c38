/* kernel/cc/cccopy.c - CcCopyRead and CcCopyWrite: copies between a caller's buffer and the
 * cache views, faulting views in with paging reads and reading ahead on sequential access. */
#include "ccp.h"

/* Tests only: runs where a read has its view pinned and the lock released, just before it
 * copies, so a test can make the view leave the cache there (tests/fs/cache_tests.c). */
VOID (*CcpTestPinnedCopyHook)(PFILE_OBJECT FileObject);

/* Pages of a view that [From, To) (offsets inside the view) touches. */
FORCEINLINE ULONG64 CcpPagesOf(ULONG From, ULONG To)
{
    ULONG first = From / PAGE_SIZE, last = (To - 1) / PAGE_SIZE;
    ULONG64 upTo = last + 1 >= CC_PAGES_PER_VIEW ? CC_ALL_PAGES : CC_PAGE_BIT(last + 1) - 1;
    return upTo & ~(CC_PAGE_BIT(first) - 1);
}

/* The pages a write of [From, To) only partly covers: their other bytes must be read first. */
static ULONG64 CcpEdgePages(ULONG From, ULONG To)
{
    return (From % PAGE_SIZE ? CC_PAGE_BIT(From / PAGE_SIZE) : 0) | (To % PAGE_SIZE ? CC_PAGE_BIT(To / PAGE_SIZE) : 0);
}

/* Lock held. Wait FALSE: only what is resident and valid already, else FALSE. */
static BOOLEAN CcpAcquire(BOOLEAN Wait)
{
    if (Wait) {
        ExAcquireFastMutex(&CcpLock);
        return TRUE;
    }
    return ExTryToAcquireFastMutex(&CcpLock);
}

/* Lock held. Read-ahead, the cache manager's own: a file object reading sequentially gets the
 * view after the one it is in read in full now, so its next reads find their data resident.
 * Failures are ignored: the read that needs the data will meet them. TRUE: the next view is
 * all there (or past the end), so reads in this view need not try again. */
static BOOLEAN CcpReadAhead(PSHARED_CACHE_MAP Map, ULONG64 End)
{
    ULONG next = (ULONG)(End / CC_VIEW_SIZE) + 1;
    BOOLEAN done = FALSE;
    if ((ULONG64)next * CC_VIEW_SIZE >= (ULONG64)Map->Sizes.FileSize.QuadPart)
        return TRUE;
    PCC_VIEW v = CcpLookupView(Map, next);
    if (v && v->Valid == CC_ALL_PAGES)
        return TRUE;
    if (Map->Callbacks.AcquireForReadAhead && !Map->Callbacks.AcquireForReadAhead(Map->LazyWriteContext, TRUE))
        return FALSE;
    v = CcpGetView(Map, next);
    if (v && NT_SUCCESS(CcpReadPages(Map, v, CC_ALL_PAGES))) {
        CcpStats.ReadAheads++;
        done = TRUE;
    }
    if (Map->Callbacks.ReleaseFromReadAhead)
        Map->Callbacks.ReleaseFromReadAhead(Map->LazyWriteContext);
    return done;
}

#define CcpCount(field) __atomic_add_fetch(&CcpStats.field, 1, __ATOMIC_RELAXED)

/* No lock: a read inside the view this file object read last (its hint), every page of it
 * valid, and no read-ahead due. The pin keeps the view's memory while the bytes are copied;
 * a hint gone stale (the view left the cache, or its record holds another view now) is a
 * miss and the locked path runs. Readers on several processors share only the pin count. */
FORCEINLINE BOOLEAN CcpCopyReadHit(PFILE_OBJECT FileObject, PPRIVATE_CACHE_MAP Priv, ULONG64 Off, ULONG Length,
                                   PVOID Buffer, PIO_STATUS_BLOCK IoStatus)
{
    PCC_VIEW v = Priv->Hint;
    ULONG in = (ULONG)(Off % CC_VIEW_SIZE), index = (ULONG)(Off / CC_VIEW_SIZE);
    if (!v || !Length || Length > CC_VIEW_SIZE - in)
        return FALSE;
    if (Off == Priv->NextRead && Priv->ReadAheadDoneIn != index + 1)
        return FALSE; /* sequential, and the next view is not known to be in: read-ahead */
    ULONG64 need = CcpPagesOf(in, in + Length);
    CcpPinFoundView(v);
    BOOLEAN hit = __atomic_load_n(&v->Map, __ATOMIC_ACQUIRE) == Priv->Map && v->Index == index &&
                  (v->Valid & need) == need;
    if (hit) {
        if (!v->Referenced)
            v->Referenced = TRUE;
        Priv->NextRead = Off + Length;
        CcpCount(UnlockedCopyReads); /* CcQueryStatistics counts these in CopyReads and CopyReadHits too */
        IoStatus->Information = Length;
        if (CcpTestPinnedCopyHook)
            CcpTestPinnedCopyHook(FileObject);
        RtlCopyMemory(Buffer, v->Data + in, Length);
    }
    CcpUnpinView(v);
    return hit;
}

/* CcCopyRead's locked path: views looked up (and read in) under the cache lock, the last one
 * copied with the lock released. */
static DECLSPEC_NOINLINE BOOLEAN CcpCopyReadLocked(PPRIVATE_CACHE_MAP priv, ULONG64 off, ULONG Length, BOOLEAN Wait,
                                                   PVOID Buffer, PIO_STATUS_BLOCK IoStatus)
{
    ULONG64 end = off + Length;
    PUCHAR out = Buffer;
    if (!CcpAcquire(Wait))
        return FALSE;
    PSHARED_CACHE_MAP map = priv->Map;
    BOOLEAN hit = TRUE;
    if (!Wait) { /* all or nothing: look before copying anything */
        for (ULONG64 at = off; at < end;) {
            ULONG in = (ULONG)(at % CC_VIEW_SIZE), to = end - at + in < CC_VIEW_SIZE ? (ULONG)(end - at + in) : CC_VIEW_SIZE;
            PCC_VIEW v = CcpLookupView(map, (ULONG)(at / CC_VIEW_SIZE));
            ULONG64 need = CcpPagesOf(in, to);
            if (!v || (v->Valid & need) != need) {
                CcpStats.CopyWaitFailures++;
                ExReleaseFastMutex(&CcpLock);
                return FALSE;
            }
            at += to - in;
        }
    }
    CcpCount(CopyReads);
    /* The last view's bytes (all of them, for a read within one view) are copied with the lock
     * released and the view pinned (CcpPinView), so readers on other processors copy at once;
     * views before it are copied under the lock, which a Wait FALSE read must not wait for
     * again and which keeps what its look found resident. */
    PCC_VIEW last = NULL;
    ULONG lastIn = 0, lastLength = 0;
    for (ULONG64 at = off; at < end;) {
        ULONG in = (ULONG)(at % CC_VIEW_SIZE), to = end - at + in < CC_VIEW_SIZE ? (ULONG)(end - at + in) : CC_VIEW_SIZE;
        PCC_VIEW v = CcpGetView(map, (ULONG)(at / CC_VIEW_SIZE));
        ULONG64 need = CcpPagesOf(in, to);
        if (!v) {
            IoStatus->Status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        if ((v->Valid & need) != need) {
            NTSTATUS st = CcpReadPages(map, v, CC_ALL_PAGES);
            hit = FALSE;
            if (!NT_SUCCESS(st)) {
                IoStatus->Status = st;
                break;
            }
        }
        at += to - in;
        if (at >= end) {
            CcpPinView(v);
            last = v;
            lastIn = in;
            lastLength = to - in;
            break;
        }
        RtlCopyMemory(out, v->Data + in, to - in);
        out += to - in;
    }
    IoStatus->Information = (ULONG_PTR)(out - (PUCHAR)Buffer) + lastLength;
    if (hit)
        CcpCount(CopyReadHits);
    if (Wait && NT_SUCCESS(IoStatus->Status) && off == priv->NextRead && Length && CcpReadAhead(map, end - 1))
        priv->ReadAheadDoneIn = (ULONG)((end - 1) / CC_VIEW_SIZE) + 1;
    priv->NextRead = end;
    if (last)
        priv->Hint = last; /* the next read here tries it without the lock */
    ExReleaseFastMutex(&CcpLock);
    if (last) {
        if (CcpTestPinnedCopyHook)
            CcpTestPinnedCopyHook(priv->FileObject);
        RtlCopyMemory(out, last->Data + lastIn, lastLength);
        CcpUnpinView(last);
    }
    return TRUE;
}

/* IRQL < DISPATCH_LEVEL (APC_LEVEL when Wait is FALSE is fine too). Copies Length bytes of the
 * cached file at FileOffset into Buffer; the caller has clipped the range to the file size.
 * Wait FALSE: returns FALSE, copying nothing, unless every byte is resident now. A miss reads
 * the whole view (the read granularity); IoStatus gets the status and the bytes copied. */
BOOLEAN CcCopyRead(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait, PVOID Buffer,
                   PIO_STATUS_BLOCK IoStatus)
{
    PPRIVATE_CACHE_MAP priv = FileObject->PrivateCacheMap;
    IoStatus->Status = STATUS_SUCCESS;
    IoStatus->Information = 0;
    if (!priv)
        return FALSE;
    if (CcpCopyReadHit(FileObject, priv, (ULONG64)FileOffset->QuadPart, Length, Buffer, IoStatus))
        return TRUE;
    return CcpCopyReadLocked(priv, (ULONG64)FileOffset->QuadPart, Length, Wait, Buffer, IoStatus);
}

/* IRQL < DISPATCH_LEVEL. Copies Buffer into the cache at FileOffset and marks the pages dirty;
 * the lazy writer (or a flush, or the last close) writes them. The file system has already
 * set the file size to cover the range. A page only partly written is read first if it holds
 * valid data; Wait FALSE then returns FALSE, writing nothing. FALSE with Wait TRUE: no memory
 * or a failed read. */
BOOLEAN CcCopyWrite(PFILE_OBJECT FileObject, PLARGE_INTEGER FileOffset, ULONG Length, BOOLEAN Wait, PVOID Buffer)
{
    ULONG64 off = (ULONG64)FileOffset->QuadPart, end = off + Length;
    PUCHAR in_ = Buffer;
    if (!FileObject->PrivateCacheMap || !CcpAcquire(Wait))
        return FALSE;
    PSHARED_CACHE_MAP map = ((PPRIVATE_CACHE_MAP)FileObject->PrivateCacheMap)->Map;
    ULONG64 vdl = (ULONG64)map->Sizes.ValidDataLength.QuadPart;
    if (!Wait) {
        for (ULONG64 at = off; at < end;) {
            ULONG in = (ULONG)(at % CC_VIEW_SIZE), to = end - at + in < CC_VIEW_SIZE ? (ULONG)(end - at + in) : CC_VIEW_SIZE;
            PCC_VIEW v = CcpLookupView(map, (ULONG)(at / CC_VIEW_SIZE));
            ULONG64 edge = CcpEdgePages(in, to);
            if (!v || ((v->Valid & edge) != edge && CcpViewOffset(v) + in < vdl)) {
                CcpStats.CopyWaitFailures++;
                ExReleaseFastMutex(&CcpLock);
                return FALSE;
            }
            at += to - in;
        }
    }
    BOOLEAN ok = TRUE;
    for (ULONG64 at = off; at < end && ok;) {
        ULONG in = (ULONG)(at % CC_VIEW_SIZE), to = end - at + in < CC_VIEW_SIZE ? (ULONG)(end - at + in) : CC_VIEW_SIZE;
        PCC_VIEW v = CcpGetView(map, (ULONG)(at / CC_VIEW_SIZE));
        if (!v) {
            ok = FALSE;
            break;
        }
        ULONG64 pages = CcpPagesOf(in, to);
        /* pages not wholly overwritten keep their other bytes: read those first */
        ULONG64 edge = CcpEdgePages(in, to);
        if ((edge & ~v->Valid) && !NT_SUCCESS(CcpReadPages(map, v, edge))) {
            ok = FALSE;
            break;
        }
        RtlCopyMemory(v->Data + in, in_, to - in);
        v->Valid |= pages;
        CcpMarkDirty(v, pages);
        in_ += to - in;
        at += to - in;
    }
    if (ok)
        CcpStats.CopyWrites++;
    ExReleaseFastMutex(&CcpLock);
    return ok;
}
