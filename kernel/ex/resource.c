/* ex/resource.c - executive resources: many shared owners or one exclusive owner, each
 * recursive; waiters queue on a semaphore (shared) or a synchronization event (exclusive)
 * and the releaser hands ownership over before waking them, as NT's ERESOURCE does. */
#include "exp.h"

#define EXP_TAG 'seRE'
#define EXP_WAITING 1       /* OwnerThread low bit: a shared waiter's reserved slot */
#define EXP_HANDED_OVER 2   /* OwnerThread of an exclusive owner not yet awake */

static ERESOURCE_THREAD ExpMe(void) { return (ERESOURCE_THREAD)KeGetCurrentThread(); }

/* The resource's own spin lock is its implementation, not a lock a driver takes: it goes
 * past the Verifier hooks of KeAcquireSpinLock (deadlock detection sees the resource). */
static KIRQL ExpLock(PERESOURCE R)
{
    KIRQL irql = KfRaiseIrql(DISPATCH_LEVEL);
    KiAcquireSpinLockRaw(&R->SpinLock);
    return irql;
}
static VOID ExpUnlock(PERESOURCE R, KIRQL Irql)
{
    KiReleaseSpinLockRaw(&R->SpinLock);
    KeLowerIrql(Irql);
}

/* IRQL <= DISPATCH_LEVEL. Re-initializing a live resource: Verifier 0xC4/0xD0. */
NTSTATUS ExInitializeResourceLite(PERESOURCE Resource)
{
    PKSEMAPHORE s = ExAllocatePoolWithTag(NonPagedPool, sizeof(KSEMAPHORE), EXP_TAG);
    PKEVENT e = ExAllocatePoolWithTag(NonPagedPool, sizeof(KEVENT), EXP_TAG);
    if (!s || !e) {
        if (s)
            ExFreePoolWithTag(s, EXP_TAG);
        if (e)
            ExFreePoolWithTag(e, EXP_TAG);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    /* Everything but the list links, which may be live (the check below needs them). */
    RtlZeroMemory(&Resource->OwnerTable, sizeof(ERESOURCE) - FIELD_OFFSET(ERESOURCE, OwnerTable));
    KeInitializeSemaphore(s, 0, 0x7FFFFFFF);
    KeInitializeEvent(e, SynchronizationEvent, FALSE);
    Resource->SharedWaiters = s;
    Resource->ExclusiveWaiters = e;
    Resource->Address = __builtin_return_address(0);
    KeInitializeSpinLock(&Resource->SpinLock);
    ExpListResource(Resource);
    return STATUS_SUCCESS;
}

/* IRQL <= DISPATCH_LEVEL. Back to the state of a fresh initialization, nobody waiting. */
NTSTATUS ExReinitializeResourceLite(PERESOURCE Resource)
{
    KIRQL irql = ExpLock(Resource);
    if (Resource->OwnerTable)
        RtlZeroMemory(&Resource->OwnerTable[1], (Resource->OwnerTable[0].TableSize - 1) * sizeof(OWNER_ENTRY));
    Resource->ActiveCount = 0;
    Resource->Flag = 0;
    Resource->OwnerEntry.OwnerThread = 0;
    Resource->OwnerEntry.OwnerCount = 0;
    Resource->NumberOfSharedWaiters = Resource->NumberOfExclusiveWaiters = 0;
    Resource->ContentionCount = 0;
    KeInitializeSemaphore(Resource->SharedWaiters, 0, 0x7FFFFFFF);
    KeInitializeEvent(Resource->ExclusiveWaiters, SynchronizationEvent, FALSE);
    ExpUnlock(Resource, irql);
    return STATUS_SUCCESS;
}

/* IRQL <= APC_LEVEL. Deleting what was never initialized: Verifier 0xC4/0xD1. */
NTSTATUS ExDeleteResourceLite(PERESOURCE Resource)
{
    ExpCheckApcLevelRule(Resource, __builtin_return_address(0));
    if (!ExpUnlistResource(Resource))
        return STATUS_SUCCESS;
    if (KiDeadlockOn())
        VfDeadlockDeleteRange(Resource, sizeof(ERESOURCE));
    if (Resource->OwnerTable)
        ExFreePoolWithTag(Resource->OwnerTable, EXP_TAG);
    ExFreePoolWithTag(Resource->SharedWaiters, EXP_TAG);
    ExFreePoolWithTag(Resource->ExclusiveWaiters, EXP_TAG);
    Resource->OwnerTable = NULL;
    Resource->SharedWaiters = NULL;
    Resource->ExclusiveWaiters = NULL;
    return STATUS_SUCCESS;
}

/* ---- Owner entries: OwnerEntry, then OwnerTable[1..TableSize-1]. Lock held. ---- */
static POWNER_ENTRY ExpFindEntry(PERESOURCE R, ERESOURCE_THREAD Thread)
{
    if (R->OwnerEntry.OwnerThread == Thread)
        return &R->OwnerEntry;
    for (ULONG i = 1; R->OwnerTable && i < R->OwnerTable[0].TableSize; i++)
        if (R->OwnerTable[i].OwnerThread == Thread)
            return &R->OwnerTable[i];
    return NULL;
}

/* A free slot. A waiter's reservation never takes OwnerEntry: that one must be free for an
 * exclusive hand-over whenever the last granted owner leaves. NULL: the table must grow. */
static POWNER_ENTRY ExpFreeSlot(PERESOURCE R, BOOLEAN ForWaiter)
{
    if (!ForWaiter && R->OwnerEntry.OwnerThread == 0 && !(R->Flag & ResourceOwnedExclusive))
        return &R->OwnerEntry;
    for (ULONG i = 1; R->OwnerTable && i < R->OwnerTable[0].TableSize; i++)
        if (R->OwnerTable[i].OwnerThread == 0)
            return &R->OwnerTable[i];
    return NULL;
}

/* Doubles the owner table. Entered and left holding the lock, which is dropped to
 * allocate; the caller looks at the resource again afterwards. */
static KIRQL ExpGrowTable(PERESOURCE R, KIRQL Irql)
{
    ULONG want = R->OwnerTable ? R->OwnerTable[0].TableSize * 2 : 4;
    ExpUnlock(R, Irql);
    POWNER_ENTRY table = ExAllocatePoolWithTag(NonPagedPool, want * sizeof(OWNER_ENTRY), EXP_TAG);
    if (!table) /* raised STATUS_INSUFFICIENT_RESOURCES, with no handler in a kernel thread */
        KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG)STATUS_INSUFFICIENT_RESOURCES, (ULONG_PTR)R, 0, 0);
    RtlZeroMemory(table, want * sizeof(OWNER_ENTRY));
    Irql = ExpLock(R);
    POWNER_ENTRY old = R->OwnerTable;
    ULONG have = old ? old[0].TableSize : 0;
    if (have >= want) {
        ExFreePoolWithTag(table, EXP_TAG); /* another thread grew it meanwhile */
        return Irql;
    }
    if (old)
        RtlCopyMemory(&table[1], &old[1], (have - 1) * sizeof(OWNER_ENTRY));
    table[0].TableSize = want;
    R->OwnerTable = table;
    if (old)
        ExFreePoolWithTag(old, EXP_TAG);
    return Irql;
}

/* Lock held, the last granted owner just left (ActiveCount 0): hand the resource to its
 * waiters. After an exclusive release shared waiters go first (all of them), after a
 * shared release an exclusive waiter does, so neither side starves. */
static VOID ExpGrantWaiters(PERESOURCE R, BOOLEAN PreferShared)
{
    if (R->NumberOfSharedWaiters && (PreferShared || !R->NumberOfExclusiveWaiters)) {
        LONG n = (LONG)R->NumberOfSharedWaiters;
        R->ActiveCount = (SHORT)n;
        R->NumberOfSharedWaiters = 0;
        KeReleaseSemaphore(R->SharedWaiters, SEMAPHORE_INCREMENT, n, FALSE);
    } else if (R->NumberOfExclusiveWaiters) {
        R->Flag |= ResourceOwnedExclusive;
        R->OwnerEntry.OwnerThread = EXP_HANDED_OVER;
        R->OwnerEntry.OwnerCount = 1;
        R->ActiveCount = 1;
        R->NumberOfExclusiveWaiters--;
        KeSetEvent(R->ExclusiveWaiters, EVENT_INCREMENT, FALSE);
    }
}

/* IRQL <= APC_LEVEL inside a critical region (Verifier: 0xC4/0x20007, 0x37, 0x3D). TRUE
 * when owned exclusively (recursion counts); Wait = FALSE returns FALSE instead of
 * waiting. A shared owner asking for exclusive access would wait for itself: Verifier
 * reports that self-deadlock as 0xC4/0x1000 (resource). */
static BOOLEAN ExpAcquireExclusive(PERESOURCE Resource, BOOLEAN Wait, PVOID Caller)
{
    ExpCheckApcLevelRule(Resource, Caller);
    ExpCheckApcsDisabled(Resource, 0x37);
    ERESOURCE_THREAD me = ExpMe();
    KIRQL irql = ExpLock(Resource);
    if (Resource->ActiveCount == 0) {
        Resource->Flag |= ResourceOwnedExclusive;
        Resource->OwnerEntry.OwnerThread = me;
        Resource->OwnerEntry.OwnerCount = 1;
        Resource->ActiveCount = 1;
        ExpUnlock(Resource, irql);
        return TRUE;
    }
    if ((Resource->Flag & ResourceOwnedExclusive) && Resource->OwnerEntry.OwnerThread == me) {
        Resource->OwnerEntry.OwnerCount++;
        ExpUnlock(Resource, irql);
        return TRUE;
    }
    if (!Wait) {
        ExpUnlock(Resource, irql);
        return FALSE;
    }
    if (!(Resource->Flag & ResourceOwnedExclusive) && ExpFindEntry(Resource, me) &&
        KiVerifierOn(VERIFIER_IRQL_CHECKING)) {
        ExpUnlock(Resource, irql);
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1000, (ULONG_PTR)Resource, 0, 0);
    }
    Resource->ContentionCount++;
    Resource->NumberOfExclusiveWaiters++;
    ExpUnlock(Resource, irql);
    KeWaitForSingleObject(Resource->ExclusiveWaiters, WrExecutive, KernelMode, FALSE, NULL);
    irql = ExpLock(Resource); /* the releaser made it ours; put our name on it */
    Resource->OwnerEntry.OwnerThread = me;
    ExpUnlock(Resource, irql);
    return TRUE;
}

BOOLEAN ExAcquireResourceExclusiveLite(PERESOURCE Resource, BOOLEAN Wait)
{
    if (!KiDeadlockOn())
        return ExpAcquireExclusive(Resource, Wait, __builtin_return_address(0));
    VfDeadlockAcquire(Resource, VfDlResource, !Wait); /* Verifier's deadlock detection */
    BOOLEAN got = ExpAcquireExclusive(Resource, Wait, __builtin_return_address(0));
    if (!got)
        VfDeadlockAcquireFailed(Resource);
    return got;
}

typedef enum { ExpShared, ExpStarveExclusive, ExpWaitForExclusive } EXP_SHARED_KIND;

static BOOLEAN ExpAcquireSharedCore(PERESOURCE R, BOOLEAN Wait, EXP_SHARED_KIND Kind, PVOID Caller)
{
    ExpCheckApcLevelRule(R, Caller);
    ExpCheckApcsDisabled(R, 0x37);
    ERESOURCE_THREAD me = ExpMe();
    KIRQL irql = ExpLock(R);
    POWNER_ENTRY e;
    for (;;) {
        if (R->Flag & ResourceOwnedExclusive) {
            if (R->OwnerEntry.OwnerThread == me) { /* the exclusive owner: one more of its own */
                R->OwnerEntry.OwnerCount++;
                ExpUnlock(R, irql);
                return TRUE;
            }
        } else {
            e = ExpFindEntry(R, me);
            BOOLEAN yield = Kind == ExpWaitForExclusive && R->NumberOfExclusiveWaiters;
            if (e && !yield) {
                e->OwnerCount++;
                ExpUnlock(R, irql);
                return TRUE;
            }
            if (!e && (Kind == ExpStarveExclusive || !R->NumberOfExclusiveWaiters)) {
                if (!(e = ExpFreeSlot(R, FALSE))) {
                    irql = ExpGrowTable(R, irql);
                    continue;
                }
                e->OwnerThread = me;
                e->OwnerCount = 1;
                R->ActiveCount++;
                ExpUnlock(R, irql);
                return TRUE;
            }
        }
        if (!Wait) {
            ExpUnlock(R, irql);
            return FALSE;
        }
        if ((e = ExpFreeSlot(R, TRUE)))
            break;
        irql = ExpGrowTable(R, irql);
    }
    /* Wait: the slot is reserved now, the releaser counts it in and wakes us. */
    e->OwnerThread = me | EXP_WAITING;
    e->OwnerCount = 1;
    R->ContentionCount++;
    R->NumberOfSharedWaiters++;
    ExpUnlock(R, irql);
    KeWaitForSingleObject(R->SharedWaiters, WrExecutive, KernelMode, FALSE, NULL);
    irql = ExpLock(R);
    POWNER_ENTRY reserved = ExpFindEntry(R, me | EXP_WAITING); /* the table may have moved */
    POWNER_ENTRY held = ExpFindEntry(R, me);
    if (held) { /* still holding an older acquisition (ExAcquireSharedWaitForExclusive) */
        held->OwnerCount++;
        reserved->OwnerThread = 0;
        R->ActiveCount--;
    } else {
        reserved->OwnerThread = me;
    }
    ExpUnlock(R, irql);
    return TRUE;
}

static BOOLEAN ExpAcquireShared(PERESOURCE R, BOOLEAN Wait, EXP_SHARED_KIND Kind, PVOID Caller)
{
    if (!KiDeadlockOn())
        return ExpAcquireSharedCore(R, Wait, Kind, Caller);
    VfDeadlockAcquire(R, VfDlResource, !Wait); /* Verifier's deadlock detection */
    BOOLEAN got = ExpAcquireSharedCore(R, Wait, Kind, Caller);
    if (!got)
        VfDeadlockAcquireFailed(R);
    return got;
}

/* IRQL <= APC_LEVEL inside a critical region. Granted now if the resource is free, owned
 * shared with no exclusive waiter, or already owned by the caller (either way); else waits
 * (or FALSE when Wait is FALSE). */
BOOLEAN ExAcquireResourceSharedLite(PERESOURCE Resource, BOOLEAN Wait)
{
    return ExpAcquireShared(Resource, Wait, ExpShared, __builtin_return_address(0));
}

/* IRQL <= APC_LEVEL inside a critical region. As ExAcquireResourceSharedLite, but shared
 * owners let a new shared caller in even while exclusive waiters wait. */
BOOLEAN ExAcquireSharedStarveExclusive(PERESOURCE Resource, BOOLEAN Wait)
{
    return ExpAcquireShared(Resource, Wait, ExpStarveExclusive, __builtin_return_address(0));
}

/* IRQL <= APC_LEVEL inside a critical region. As ExAcquireResourceSharedLite, except that a
 * caller already owning it shared waits behind exclusive waiters (another thread must
 * release its earlier acquisition with ExReleaseResourceForThreadLite). */
BOOLEAN ExAcquireSharedWaitForExclusive(PERESOURCE Resource, BOOLEAN Wait)
{
    return ExpAcquireShared(Resource, Wait, ExpWaitForExclusive, __builtin_return_address(0));
}

/* IRQL <= DISPATCH_LEVEL. Releases one acquisition by Thread; the last one hands the
 * resource to its waiters. Not owned by Thread: RESOURCE_NOT_OWNED (resource, thread,
 * owner table, 0). */
VOID ExReleaseResourceForThreadLite(PERESOURCE Resource, ERESOURCE_THREAD ResourceThreadId)
{
    if (KiDeadlockOn() && ResourceThreadId == ExpMe())
        VfDeadlockRelease(Resource, VfDlResource);
    KIRQL irql = ExpLock(Resource);
    if (Resource->Flag & ResourceOwnedExclusive) {
        if (Resource->OwnerEntry.OwnerThread != ResourceThreadId || !ResourceThreadId)
            goto notOwned;
        if (--Resource->OwnerEntry.OwnerCount == 0) {
            Resource->OwnerEntry.OwnerThread = 0;
            Resource->Flag &= ~ResourceOwnedExclusive;
            Resource->ActiveCount = 0;
            ExpGrantWaiters(Resource, TRUE);
        }
    } else {
        POWNER_ENTRY e = ResourceThreadId ? ExpFindEntry(Resource, ResourceThreadId) : NULL;
        if (!e)
            goto notOwned;
        if (--e->OwnerCount == 0) {
            e->OwnerThread = 0;
            if (--Resource->ActiveCount == 0)
                ExpGrantWaiters(Resource, FALSE);
        }
    }
    ExpUnlock(Resource, irql);
    return;
notOwned:
    ExpUnlock(Resource, irql);
    KeBugCheckEx(RESOURCE_NOT_OWNED, (ULONG_PTR)Resource, ResourceThreadId, (ULONG_PTR)Resource->OwnerTable, 0);
}

/* IRQL <= DISPATCH_LEVEL, with normal kernel APCs still off (Verifier 0xC4/0x38). */
VOID ExReleaseResourceLite(PERESOURCE Resource)
{
    ExpCheckApcsDisabled(Resource, 0x38);
    ExReleaseResourceForThreadLite(Resource, ExpMe());
}

/* IRQL <= APC_LEVEL, owning it exclusively (RESOURCE_NOT_OWNED otherwise). The caller keeps
 * its acquisitions, now shared, and every shared waiter is let in with it. */
VOID ExConvertExclusiveToSharedLite(PERESOURCE Resource)
{
    ExpCheckApcLevelRule(Resource, __builtin_return_address(0));
    ERESOURCE_THREAD me = ExpMe();
    KIRQL irql = ExpLock(Resource);
    if (!(Resource->Flag & ResourceOwnedExclusive) || Resource->OwnerEntry.OwnerThread != me) {
        ExpUnlock(Resource, irql);
        KeBugCheckEx(RESOURCE_NOT_OWNED, (ULONG_PTR)Resource, me, (ULONG_PTR)Resource->OwnerTable, 0);
    }
    Resource->Flag &= ~ResourceOwnedExclusive;
    if (Resource->NumberOfSharedWaiters) {
        LONG n = (LONG)Resource->NumberOfSharedWaiters;
        Resource->ActiveCount = (SHORT)(1 + n);
        Resource->NumberOfSharedWaiters = 0;
        KeReleaseSemaphore(Resource->SharedWaiters, SEMAPHORE_INCREMENT, n, FALSE);
    }
    ExpUnlock(Resource, irql);
}

/* IRQL <= DISPATCH_LEVEL. */
BOOLEAN ExIsResourceAcquiredExclusiveLite(PERESOURCE Resource)
{
    return (Resource->Flag & ResourceOwnedExclusive) && Resource->OwnerEntry.OwnerThread == ExpMe();
}

/* IRQL <= DISPATCH_LEVEL. How many times the caller holds it, shared or exclusive; 0 if not. */
ULONG ExIsResourceAcquiredSharedLite(PERESOURCE Resource)
{
    KIRQL irql = ExpLock(Resource);
    POWNER_ENTRY e = ExpFindEntry(Resource, ExpMe());
    ULONG n = e ? (ULONG)e->OwnerCount : 0;
    ExpUnlock(Resource, irql);
    return n;
}

/* IRQL <= DISPATCH_LEVEL. */
ULONG ExIsResourceAcquiredLite(PERESOURCE Resource) { return ExIsResourceAcquiredSharedLite(Resource); }
ULONG ExGetExclusiveWaiterCount(PERESOURCE Resource) { return Resource->NumberOfExclusiveWaiters; }
ULONG ExGetSharedWaiterCount(PERESOURCE Resource) { return Resource->NumberOfSharedWaiters; }
