/* ex/handle.c - a small kernel handle table and object references. Threads are the only
 * referenced objects so far: a handle holds one reference, ZwClose drops it. */
#include "../ke/ki.h"

#define OBP_MAX_HANDLES 256
#define OBP_KERNEL_HANDLE_BIT 0xFFFFFFFF80000000ULL /* kernel handles look like Windows' */
#define OBP_RESERVED ((PVOID)1)

static PVOID ObpHandles[OBP_MAX_HANDLES];
static struct _OBJECT_TYPE { ULONG Unused; } PspThreadObjectType;
static POBJECT_TYPE PspThreadTypePointer = &PspThreadObjectType;
POBJECT_TYPE *PsThreadType = &PspThreadTypePointer;

static PVOID *ObpSlot(HANDLE Handle)
{
    ULONG64 h = (ULONG64)Handle;
    if ((h & OBP_KERNEL_HANDLE_BIT) != OBP_KERNEL_HANDLE_BIT || (h & 3))
        return NULL;
    ULONG64 i = ((h & ~OBP_KERNEL_HANDLE_BIT) >> 2) - 1;
    return i < OBP_MAX_HANDLES ? &ObpHandles[i] : NULL;
}

/* IRQL <= APC_LEVEL. Object NULL reserves a slot to be filled by ObpSetHandleObject. */
NTSTATUS ObpInsertHandle(PVOID Object, PHANDLE Handle)
{
    KIRQL irql = KiAcquireDispatcherDatabase();
    for (ULONG i = 0; i < OBP_MAX_HANDLES; i++) {
        if (!ObpHandles[i]) {
            ObpHandles[i] = Object ? Object : OBP_RESERVED;
            KiReleaseDispatcherDatabase(irql);
            *Handle = (HANDLE)(OBP_KERNEL_HANDLE_BIT | ((ULONG64)(i + 1) << 2));
            return STATUS_SUCCESS;
        }
    }
    KiReleaseDispatcherDatabase(irql);
    return STATUS_INSUFFICIENT_RESOURCES;
}

VOID ObpSetHandleObject(HANDLE Handle, PVOID Object) { *ObpSlot(Handle) = Object; }

/* IRQL <= APC_LEVEL (PASSIVE_LEVEL on Windows). STATUS_INVALID_HANDLE for a handle not in
 * the table, STATUS_OBJECT_TYPE_MISMATCH for a type other than NULL or *PsThreadType. */
NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, PVOID ObjectType,
                                   KPROCESSOR_MODE AccessMode, PVOID *Object, PVOID HandleInformation)
{
    UNREFERENCED_PARAMETER(DesiredAccess);
    UNREFERENCED_PARAMETER(AccessMode);
    UNREFERENCED_PARAMETER(HandleInformation);
    PVOID *slot = ObpSlot(Handle);
    *Object = NULL;
    if (ObjectType && ObjectType != *PsThreadType)
        return STATUS_OBJECT_TYPE_MISMATCH;
    KIRQL irql = KiAcquireDispatcherDatabase();
    PVOID obj = slot ? *slot : NULL;
    if (!obj || obj == OBP_RESERVED) {
        KiReleaseDispatcherDatabase(irql);
        return STATUS_INVALID_HANDLE;
    }
    KiReferenceThread(obj);
    KiReleaseDispatcherDatabase(irql);
    *Object = obj;
    return STATUS_SUCCESS;
}

/* IRQL <= APC_LEVEL. */
NTSTATUS ZwClose(HANDLE Handle)
{
    PVOID *slot = ObpSlot(Handle);
    KIRQL irql = KiAcquireDispatcherDatabase();
    PVOID obj = slot ? *slot : NULL;
    if (!obj) {
        KiReleaseDispatcherDatabase(irql);
        return STATUS_INVALID_HANDLE;
    }
    *slot = NULL;
    KiReleaseDispatcherDatabase(irql);
    if (obj != OBP_RESERVED)
        KiDereferenceThread(obj);
    return STATUS_SUCCESS;
}

/* IRQL <= DISPATCH_LEVEL. */
VOID ObfReferenceObject(PVOID Object) { KiReferenceThread(Object); }
VOID ObfDereferenceObject(PVOID Object) { KiDereferenceThread(Object); }
