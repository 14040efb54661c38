/* io/remlock.c - remove locks: a count of I/O in flight that a remove waits to drain, and
 * under I/O verification a record of acquisition tags so mismatched releases stop. */
#include "iop.h"

/* Verifier's tag record: which tags hold which lock, how many times. */
#define IOP_REMLOCK_SLOTS 64
typedef struct _IOP_REMLOCK_TAG {
    PIO_REMOVE_LOCK Lock;
    PVOID Tag;
    ULONG Count;
} IOP_REMLOCK_TAG;
static IOP_REMLOCK_TAG IopRemlockTags[IOP_REMLOCK_SLOTS];
static KSPIN_LOCK IopRemlockTagLock;

static IOP_REMLOCK_TAG *IopFindTag(PIO_REMOVE_LOCK Lock, PVOID Tag, BOOLEAN AnyTag)
{
    for (ULONG i = 0; i < IOP_REMLOCK_SLOTS; i++)
        if (IopRemlockTags[i].Count && IopRemlockTags[i].Lock == Lock && (AnyTag || IopRemlockTags[i].Tag == Tag))
            return &IopRemlockTags[i];
    return NULL;
}

static VOID IopRecordAcquire(PIO_REMOVE_LOCK Lock, PVOID Tag)
{
    KIRQL old;
    KeAcquireSpinLock(&IopRemlockTagLock, &old);
    IOP_REMLOCK_TAG *t = IopFindTag(Lock, Tag, FALSE);
    for (ULONG i = 0; !t && i < IOP_REMLOCK_SLOTS; i++)
        if (!IopRemlockTags[i].Count)
            t = &IopRemlockTags[i], t->Lock = Lock, t->Tag = Tag;
    if (t)
        t->Count++; /* a full table only loses the check, never the lock */
    KeReleaseSpinLock(&IopRemlockTagLock, old);
}

/* FALSE when Tag holds no acquisition of Lock; *Other gets one tag that does. */
static BOOLEAN IopRecordRelease(PIO_REMOVE_LOCK Lock, PVOID Tag, PVOID *Other)
{
    KIRQL old;
    KeAcquireSpinLock(&IopRemlockTagLock, &old);
    IOP_REMLOCK_TAG *t = IopFindTag(Lock, Tag, FALSE);
    if (t)
        t->Count--;
    IOP_REMLOCK_TAG *any = t ? NULL : IopFindTag(Lock, NULL, TRUE);
    *Other = any ? any->Tag : NULL;
    KeReleaseSpinLock(&IopRemlockTagLock, old);
    return t != NULL;
}

static VOID IopForgetLock(PIO_REMOVE_LOCK Lock)
{
    KIRQL old;
    KeAcquireSpinLock(&IopRemlockTagLock, &old);
    for (ULONG i = 0; i < IOP_REMLOCK_SLOTS; i++)
        if (IopRemlockTags[i].Lock == Lock)
            IopRemlockTags[i].Count = 0;
    KeReleaseSpinLock(&IopRemlockTagLock, old);
}

/* PASSIVE_LEVEL. The count starts at one, the bias ReleaseAndWait removes. */
VOID IoInitializeRemoveLockEx(PIO_REMOVE_LOCK Lock, ULONG AllocateTag, ULONG MaxLockedMinutes, ULONG HighWatermark,
                              ULONG RemlockSize)
{
    UNREFERENCED_PARAMETER(RemlockSize);
    Lock->Common.Removed = FALSE;
    Lock->Common.IoCount = 1;
    KeInitializeEvent(&Lock->Common.RemoveEvent, NotificationEvent, FALSE);
    Lock->AllocateTag = AllocateTag;
    Lock->MaxLockedMinutes = MaxLockedMinutes;
    Lock->HighWatermark = HighWatermark;
    IopForgetLock(Lock);
}

/* IRQL <= DISPATCH_LEVEL. STATUS_DELETE_PENDING once the remove has begun. */
NTSTATUS IoAcquireRemoveLockEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, PCSTR File, ULONG Line, ULONG RemlockSize)
{
    VF_DDI_CHECK(IoAcquireRemoveLockEx);
    UNREFERENCED_PARAMETER(File);
    UNREFERENCED_PARAMETER(Line);
    UNREFERENCED_PARAMETER(RemlockSize);
    __atomic_add_fetch(&RemoveLock->Common.IoCount, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&RemoveLock->Common.Removed, __ATOMIC_SEQ_CST)) {
        if (__atomic_sub_fetch(&RemoveLock->Common.IoCount, 1, __ATOMIC_SEQ_CST) == 0)
            KeSetEvent(&RemoveLock->Common.RemoveEvent, IO_NO_INCREMENT, FALSE);
        return STATUS_DELETE_PENDING;
    }
    if (IopVerifying())
        IopRecordAcquire(RemoveLock, Tag);
    return STATUS_SUCCESS;
}

/* IRQL <= DISPATCH_LEVEL. */
VOID IoReleaseRemoveLockEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, ULONG RemlockSize)
{
    VF_DDI_CHECK(IoReleaseRemoveLockEx);
    PVOID other;
    UNREFERENCED_PARAMETER(RemlockSize);
    if (IopVerifying() && !IopRecordRelease(RemoveLock, Tag, &other)) {
        KiSetBugCheckCulprit(MmLookupDriverByAddress(__builtin_return_address(0)), __builtin_return_address(0));
        KeBugCheckEx(BUGPARAMS_C4_REMOVE_LOCK_RELEASE_TAG_MISMATCH(RemoveLock, Tag));
    }
    if (__atomic_sub_fetch(&RemoveLock->Common.IoCount, 1, __ATOMIC_SEQ_CST) == 0)
        KeSetEvent(&RemoveLock->Common.RemoveEvent, IO_NO_INCREMENT, FALSE);
}

/* PASSIVE_LEVEL. Called holding one acquisition (Tag's): drops it and the bias, then waits
 * until every other holder released. */
VOID IoReleaseRemoveLockAndWaitEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, ULONG RemlockSize)
{
    VF_DDI_CHECK(IoReleaseRemoveLockAndWaitEx);
    PVOID other;
    UNREFERENCED_PARAMETER(RemlockSize);
    if (IopVerifying() && !IopRecordRelease(RemoveLock, Tag, &other)) {
        KiSetBugCheckCulprit(MmLookupDriverByAddress(__builtin_return_address(0)), __builtin_return_address(0));
        KeBugCheckEx(BUGPARAMS_C4_REMOVE_LOCK_WAIT_TAG_MISMATCH(RemoveLock, Tag, other));
    }
    __atomic_store_n(&RemoveLock->Common.Removed, TRUE, __ATOMIC_SEQ_CST);
    __atomic_sub_fetch(&RemoveLock->Common.IoCount, 1, __ATOMIC_SEQ_CST); /* the caller's */
    if (__atomic_sub_fetch(&RemoveLock->Common.IoCount, 1, __ATOMIC_SEQ_CST) > 0)
        KeWaitForSingleObject(&RemoveLock->Common.RemoveEvent, Executive, KernelMode, FALSE, NULL);
    IopForgetLock(RemoveLock);
}
