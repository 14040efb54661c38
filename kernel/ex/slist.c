/* ex/slist.c - sequenced singly linked lists: the 16-byte header (depth, sequence, first
 * entry) changes in one cmpxchg16b, and the sequence number defeats the ABA race between a
 * pop that read the next link and a pop/push pair that happened meanwhile. */
#include "exp.h"

/* Compare-exchange of the whole header. On failure Expected holds what was found. */
static BOOLEAN ExpCompareExchangeHeader(PSLIST_HEADER Head, SLIST_HEADER *Expected, SLIST_HEADER Desired)
{
    BOOLEAN ok;
    __asm__ volatile("lock cmpxchg16b %1\n\tsetz %0"
                     : "=q"(ok), "+m"(*Head), "+a"(Expected->Alignment), "+d"(Expected->Region)
                     : "b"(Desired.Alignment), "c"(Desired.Region)
                     : "memory", "cc");
    return ok;
}

static SLIST_HEADER ExpReadHeader(PSLIST_HEADER Head)
{
    SLIST_HEADER h;
    h.Alignment = __atomic_load_n(&Head->Alignment, __ATOMIC_ACQUIRE);
    h.Region = __atomic_load_n(&Head->Region, __ATOMIC_ACQUIRE);
    return h; /* possibly torn: the compare-exchange that follows rejects a torn copy */
}

/* IRQL: any. Returns the previous first entry (NULL if the list was empty). */
PSLIST_ENTRY InterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry)
{
    SLIST_HEADER old = ExpReadHeader(ListHead), new;
    do {
        ListEntry->Next = FirstEntrySList(&old);
        new = old;
        new.HeaderX64.NextEntry = (ULONG_PTR)ListEntry >> 4;
        new.HeaderX64.Depth = old.HeaderX64.Depth + 1;
        new.HeaderX64.Sequence = old.HeaderX64.Sequence + 1;
    } while (!ExpCompareExchangeHeader(ListHead, &old, new));
    return FirstEntrySList(&old);
}

/* IRQL: any. The first entry, or NULL. */
PSLIST_ENTRY InterlockedPopEntrySList(PSLIST_HEADER ListHead)
{
    SLIST_HEADER old = ExpReadHeader(ListHead), new;
    PSLIST_ENTRY first;
    do {
        first = FirstEntrySList(&old);
        if (!first)
            return NULL;
        new = old;
        new.HeaderX64.NextEntry = (ULONG_PTR)first->Next >> 4;
        new.HeaderX64.Depth = old.HeaderX64.Depth - 1;
        new.HeaderX64.Sequence = old.HeaderX64.Sequence + 1;
    } while (!ExpCompareExchangeHeader(ListHead, &old, new));
    return first;
}

/* IRQL: any. Takes the whole chain; the header is left empty. */
PSLIST_ENTRY InterlockedFlushSList(PSLIST_HEADER ListHead)
{
    SLIST_HEADER old = ExpReadHeader(ListHead), new;
    do {
        if (!FirstEntrySList(&old))
            return NULL;
        new = old;
        new.HeaderX64.NextEntry = 0;
        new.HeaderX64.Depth = 0;
        new.HeaderX64.Sequence = old.HeaderX64.Sequence + 1;
    } while (!ExpCompareExchangeHeader(ListHead, &old, new));
    return FirstEntrySList(&old);
}

/* IRQL: any. A snapshot. */
USHORT ExQueryDepthSList(PSLIST_HEADER SListHead) { return (USHORT)SListHead->HeaderX64.Depth; }
