/* io/handle.c - the kernel handle table: a handle names a referenced object; ZwClose drops
 * the handle (the type's close procedure runs: files send IRP_MJ_CLEANUP) and the reference. */
#include "obhandle.h"

OBP_HANDLE_ENTRY ObpHandles[OBP_MAX_HANDLES];
static KSPIN_LOCK ObpHandleLock;

/* Another thread holds the entry for a few instructions. It may be preempted meanwhile, or
 * wait for this processor, so below DISPATCH_LEVEL give it the processor and time to run
 * (as Windows blocks on a locked entry); at DISPATCH_LEVEL (a caller breaking the PASSIVE_LEVEL
 * rule with Verifier off) only spin. */
static DECLSPEC_NOINLINE VOID ObpWaitForEntry(ULONG Spins)
{
    LARGE_INTEGER tick = { .QuadPart = -10000 };
    if (Spins < 64 || KeGetCurrentIrql() >= DISPATCH_LEVEL)
        _mm_pause();
    else
        KeDelayExecutionThread(KernelMode, FALSE, &tick);
}

/* The entry was locked (or changed) at the first look: try again, letting its holder run. */
ULONG_PTR ObpLockEntryContended(OBP_HANDLE_ENTRY *Entry)
{
    for (ULONG spins = 0;; spins++) {
        ULONG_PTR v = Entry->Object;
        if (!v)
            return 0;
        if (!(v & OBP_ENTRY_LOCKED) &&
            __atomic_compare_exchange_n(&Entry->Object, &v, v | OBP_ENTRY_LOCKED, FALSE, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return v;
        ObpWaitForEntry(spins);
    }
}

/* Tests only: runs inside ObReferenceObjectByHandle with the handle's entry locked, so a test
 * can close the handle from another thread there (tests/io/ob_tests.c). */
VOID (*ObpTestEntryLockedHook)(HANDLE Handle);

/* IRQL <= DISPATCH_LEVEL. Takes its own reference on Object. */
NTSTATUS ObCreateHandle(PVOID Object, ACCESS_MASK Access, PHANDLE Handle)
{
    KIRQL old;
    KeAcquireSpinLock(&ObpHandleLock, &old);
    for (ULONG i = 0; i < OBP_MAX_HANDLES; i++) {
        if (!ObpHandles[i].Object) {
            ObpHandles[i].Access = Access;
            __atomic_add_fetch(&OBJECT_TO_OBJECT_HEADER(Object)->HandleCount, 1, __ATOMIC_SEQ_CST);
            ObReferenceObject(Object);
            __atomic_store_n(&ObpHandles[i].Object, (ULONG_PTR)Object, __ATOMIC_RELEASE);
            KeReleaseSpinLock(&ObpHandleLock, old);
            *Handle = OBP_INDEX_TO_HANDLE(i);
            return STATUS_SUCCESS;
        }
    }
    KeReleaseSpinLock(&ObpHandleLock, old);
    return STATUS_INSUFFICIENT_RESOURCES;
}

/* PASSIVE_LEVEL (Verifier: 0xC4/0x2001B above it). ObjectType is a POBJECT_TYPE or NULL for
 * any. The entry is locked while its object is referenced, so a close cannot free it between. */
NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, PVOID ObjectType,
                                   KPROCESSOR_MODE AccessMode, PVOID *Object, PVOID HandleInformation)
{
    VF_DDI_CHECK(ObReferenceObjectByHandle);
    UNREFERENCED_PARAMETER(DesiredAccess);
    UNREFERENCED_PARAMETER(AccessMode);
    UNREFERENCED_PARAMETER(HandleInformation);
    return ObpReferenceObjectByHandle(Handle, ObjectType, Object);
}

/* PASSIVE_LEVEL. Closing a file handle sends IRP_MJ_CLEANUP when it was the last handle;
 * IRP_MJ_CLOSE follows when the last reference goes. */
NTSTATUS ZwClose(HANDLE Handle)
{
    VF_DDI_CHECK(ZwClose);
    LONG i = ObpHandleToIndex(Handle);
    if (i < 0)
        return STATUS_INVALID_HANDLE;
    PKTHREAD t = KiEnterCriticalRegionThread();
    PVOID o = (PVOID)ObpLockEntry(&ObpHandles[i]);
    if (o)
        __atomic_store_n(&ObpHandles[i].Object, 0, __ATOMIC_RELEASE);
    KiLeaveCriticalRegionThread(t);
    if (!o)
        return STATUS_INVALID_HANDLE;
    POBJECT_HEADER h = OBJECT_TO_OBJECT_HEADER(o);
    LONG left = __atomic_sub_fetch(&h->HandleCount, 1, __ATOMIC_SEQ_CST);
    if (h->Type->CloseProcedure)
        h->Type->CloseProcedure(o, left);
    ObDereferenceObject(o);
    return STATUS_SUCCESS;
}

ULONG ObpHandleCount(void)
{
    ULONG n = 0;
    for (ULONG i = 0; i < OBP_MAX_HANDLES; i++)
        n += ObpHandles[i].Object != 0;
    return n;
}
