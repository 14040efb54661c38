/* ex/interlock.c - the ExInterlocked list and add routines: a caller-supplied spin lock held
 * with interrupts off, so they work at any IRQL, from an ISR as from a thread. */
#include "exp.h"

/* IRQL: any. Returns the old first entry, NULL if the list was empty. */
PLIST_ENTRY ExInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock)
{
    ULONG64 f = KiAcquireSpinLockInterruptsOff(Lock);
    PLIST_ENTRY first = ListHead->Flink;
    InsertHeadList(ListHead, ListEntry);
    KiReleaseSpinLockInterruptsOff(Lock, f);
    return first == ListHead ? NULL : first;
}

/* IRQL: any. Returns the old last entry, NULL if the list was empty. */
PLIST_ENTRY ExInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock)
{
    ULONG64 f = KiAcquireSpinLockInterruptsOff(Lock);
    PLIST_ENTRY last = ListHead->Blink;
    InsertTailList(ListHead, ListEntry);
    KiReleaseSpinLockInterruptsOff(Lock, f);
    return last == ListHead ? NULL : last;
}

/* IRQL: any. NULL if the list is empty. */
PLIST_ENTRY ExInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PKSPIN_LOCK Lock)
{
    ULONG64 f = KiAcquireSpinLockInterruptsOff(Lock);
    PLIST_ENTRY e = IsListEmpty(ListHead) ? NULL : RemoveHeadList(ListHead);
    KiReleaseSpinLockInterruptsOff(Lock, f);
    return e;
}

/* IRQL: any. Returns the old first entry (NULL if none). */
PSINGLE_LIST_ENTRY ExInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY ListEntry,
                                              PKSPIN_LOCK Lock)
{
    ULONG64 f = KiAcquireSpinLockInterruptsOff(Lock);
    PSINGLE_LIST_ENTRY first = ListHead->Next;
    PushEntryList(ListHead, ListEntry);
    KiReleaseSpinLockInterruptsOff(Lock, f);
    return first;
}

/* IRQL: any. NULL if the list is empty. */
PSINGLE_LIST_ENTRY ExInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead, PKSPIN_LOCK Lock)
{
    ULONG64 f = KiAcquireSpinLockInterruptsOff(Lock);
    PSINGLE_LIST_ENTRY e = PopEntryList(ListHead);
    KiReleaseSpinLockInterruptsOff(Lock, f);
    return e;
}

/* IRQL: any. Returns the value before the addition. */
ULONG ExInterlockedAddUlong(PULONG Addend, ULONG Increment, PKSPIN_LOCK Lock)
{
    ULONG64 f = KiAcquireSpinLockInterruptsOff(Lock);
    ULONG old = *Addend;
    *Addend = old + Increment;
    KiReleaseSpinLockInterruptsOff(Lock, f);
    return old;
}

/* IRQL: any. Returns the value before the addition. */
LARGE_INTEGER ExInterlockedAddLargeInteger(PLARGE_INTEGER Addend, LARGE_INTEGER Increment, PKSPIN_LOCK Lock)
{
    ULONG64 f = KiAcquireSpinLockInterruptsOff(Lock);
    LARGE_INTEGER old = *Addend;
    Addend->QuadPart = old.QuadPart + Increment.QuadPart;
    KiReleaseSpinLockInterruptsOff(Lock, f);
    return old;
}
