/* io/handle.c - the kernel handle table: a handle names a referenced object; ZwClose drops
 * the handle (the type's close procedure runs: files send IRP_MJ_CLEANUP) and the reference. */
#include "iop.h"

#define OBP_MAX_HANDLES 256
typedef struct _OBP_HANDLE_ENTRY { PVOID Object; ACCESS_MASK Access; } OBP_HANDLE_ENTRY;
static OBP_HANDLE_ENTRY ObpHandles[OBP_MAX_HANDLES];
static KSPIN_LOCK ObpHandleLock;

/* Handles look like Windows kernel handles: multiples of 4, never 0. */
#define OBP_INDEX_TO_HANDLE(i) ((HANDLE)(ULONG_PTR)(((i) + 1) * 4))
static LONG ObpHandleToIndex(HANDLE h)
{
    ULONG_PTR v = (ULONG_PTR)h;
    if (!v || (v & 3) || v / 4 > OBP_MAX_HANDLES)
        return -1;
    return (LONG)(v / 4 - 1);
}

/* IRQL <= DISPATCH_LEVEL. Takes its own reference on Object. */
NTSTATUS ObCreateHandle(PVOID Object, ACCESS_MASK Access, PHANDLE Handle)
{
    KIRQL old;
    KeAcquireSpinLock(&ObpHandleLock, &old);
    for (ULONG i = 0; i < OBP_MAX_HANDLES; i++) {
        if (!ObpHandles[i].Object) {
            ObpHandles[i].Object = Object;
            ObpHandles[i].Access = Access;
            __atomic_add_fetch(&OBJECT_TO_OBJECT_HEADER(Object)->HandleCount, 1, __ATOMIC_SEQ_CST);
            ObReferenceObject(Object);
            KeReleaseSpinLock(&ObpHandleLock, old);
            *Handle = OBP_INDEX_TO_HANDLE(i);
            return STATUS_SUCCESS;
        }
    }
    KeReleaseSpinLock(&ObpHandleLock, old);
    return STATUS_INSUFFICIENT_RESOURCES;
}

/* IRQL <= DISPATCH_LEVEL. ObjectType is a POBJECT_TYPE or NULL for any. */
NTSTATUS ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess, PVOID ObjectType,
                                   KPROCESSOR_MODE AccessMode, PVOID *Object, PVOID HandleInformation)
{
    VF_DDI_CHECK(ObReferenceObjectByHandle);
    LONG i = ObpHandleToIndex(Handle);
    KIRQL old;
    UNREFERENCED_PARAMETER(DesiredAccess);
    UNREFERENCED_PARAMETER(AccessMode);
    UNREFERENCED_PARAMETER(HandleInformation);
    if (i < 0)
        return STATUS_INVALID_HANDLE;
    KeAcquireSpinLock(&ObpHandleLock, &old);
    PVOID o = ObpHandles[i].Object;
    if (o && ObjectType && !ObIsObjectOfType(o, ObjectType)) {
        KeReleaseSpinLock(&ObpHandleLock, old);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    if (o)
        ObReferenceObject(o);
    KeReleaseSpinLock(&ObpHandleLock, old);
    if (!o)
        return STATUS_INVALID_HANDLE;
    *Object = o;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. Closing a file handle sends IRP_MJ_CLEANUP when it was the last handle;
 * IRP_MJ_CLOSE follows when the last reference goes. */
NTSTATUS ZwClose(HANDLE Handle)
{
    VF_DDI_CHECK(ZwClose);
    LONG i = ObpHandleToIndex(Handle);
    KIRQL old;
    if (i < 0)
        return STATUS_INVALID_HANDLE;
    KeAcquireSpinLock(&ObpHandleLock, &old);
    PVOID o = ObpHandles[i].Object;
    ObpHandles[i].Object = NULL;
    KeReleaseSpinLock(&ObpHandleLock, old);
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
        n += ObpHandles[i].Object != NULL;
    return n;
}
