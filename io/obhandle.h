/* io/obhandle.h - the kernel handle table's entries and their lock, and the lookup inline for
 * the I/O manager's read and write paths (io/handle.c has the rest of the table). */
#pragma once
#include "iop.h"

#define OBP_MAX_HANDLES 256
/* An entry's Object has bit 0 set while a thread works on the entry (Windows' handle entry
 * lock): a reference or a close locks the entry alone, so looking a handle up costs no IRQL
 * change and no table lock. The table lock only serialises finding a free entry. */
#define OBP_ENTRY_LOCKED ((ULONG_PTR)1)
typedef struct _OBP_HANDLE_ENTRY { volatile ULONG_PTR Object; ACCESS_MASK Access; } OBP_HANDLE_ENTRY;
extern OBP_HANDLE_ENTRY ObpHandles[OBP_MAX_HANDLES];
extern VOID (*ObpTestEntryLockedHook)(HANDLE Handle);

/* Handles look like Windows kernel handles: multiples of 4, never 0. */
#define OBP_INDEX_TO_HANDLE(i) ((HANDLE)(ULONG_PTR)(((i) + 1) * 4))
FORCEINLINE LONG ObpHandleToIndex(HANDLE h)
{
    ULONG_PTR v = (ULONG_PTR)h;
    if (!v || (v & 3) || v / 4 > OBP_MAX_HANDLES)
        return -1;
    return (LONG)(v / 4 - 1);
}

ULONG_PTR ObpLockEntryContended(OBP_HANDLE_ENTRY *Entry); /* io/handle.c: waits its turn */

/* Inside a critical region (a kernel APC on this thread must not meet its own locked entry).
 * The entry's object, locked, or 0 for a free entry. */
FORCEINLINE ULONG_PTR ObpLockEntry(OBP_HANDLE_ENTRY *Entry)
{
    ULONG_PTR v = Entry->Object & ~OBP_ENTRY_LOCKED; /* expect it unlocked: the exchange checks */
    if (v && __atomic_compare_exchange_n(&Entry->Object, &v, v | OBP_ENTRY_LOCKED, FALSE, __ATOMIC_ACQUIRE,
                                         __ATOMIC_RELAXED))
        return v;
    return ObpLockEntryContended(Entry);
}

/* PASSIVE_LEVEL. ObReferenceObjectByHandle's work (ObjectType NULL: any). The entry is locked
 * while its object is referenced, so a close cannot free the object in between. */
FORCEINLINE NTSTATUS ObpReferenceObjectByHandle(HANDLE Handle, POBJECT_TYPE ObjectType, PVOID *Object)
{
    LONG i = ObpHandleToIndex(Handle);
    NTSTATUS st = STATUS_SUCCESS;
    if (i < 0)
        return STATUS_INVALID_HANDLE;
    PKTHREAD t = KiEnterCriticalRegionThread();
    ULONG_PTR v = ObpLockEntry(&ObpHandles[i]);
    PVOID o = (PVOID)v;
    if (ObpTestEntryLockedHook)
        ObpTestEntryLockedHook(Handle);
    /* the handle's own reference keeps the object while its entry is locked */
    POBJECT_HEADER h = o ? OBJECT_TO_OBJECT_HEADER(o) : NULL;
    if (!o)
        st = STATUS_INVALID_HANDLE;
    else if (ObjectType && h->Type != ObjectType)
        st = STATUS_OBJECT_TYPE_MISMATCH;
    else
        __atomic_add_fetch(&h->PointerCount, 1, __ATOMIC_RELAXED);
    if (o)
        __atomic_store_n(&ObpHandles[i].Object, v, __ATOMIC_RELEASE);
    KiLeaveCriticalRegionThread(t);
    if (NT_SUCCESS(st))
        *Object = o;
    return st;
}
