/* io/ob.c - the object manager (small): reference-counted objects with a header, one flat
 * namespace of full paths (\Device\X, \Driver\X, \FileSystem\X) and name queries. */
#include "iop.h"

static LIST_ENTRY ObpNamespace = { &ObpNamespace, &ObpNamespace };
static KSPIN_LOCK ObpLock;

/* IRQL <= DISPATCH_LEVEL. The object starts with one reference, owned by the caller. */
NTSTATUS ObCreateObject(POBJECT_TYPE Type, ULONG BodySize, PCUNICODE_STRING Name, PVOID *Object)
{
    ULONG nameBytes = Name ? Name->Length : 0;
    POBJECT_HEADER h = ExAllocatePoolWithTag(NonPagedPool, sizeof(OBJECT_HEADER) + BodySize + nameBytes + 2, Type->Tag);
    if (!h)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlZeroMemory(h, sizeof(OBJECT_HEADER) + BodySize);
    h->Magic = OB_HEADER_MAGIC;
    h->PointerCount = 1;
    h->Type = Type;
    InitializeListHead(&h->NamespaceEntry);
    if (nameBytes) {
        h->Name.Buffer = (PWSTR)((PUCHAR)h->Body + BodySize);
        RtlCopyMemory(h->Name.Buffer, Name->Buffer, nameBytes);
        h->Name.Buffer[nameBytes / 2] = 0;
        h->Name.Length = (USHORT)nameBytes;
        h->Name.MaximumLength = (USHORT)(nameBytes + 2);
    }
    *Object = h->Body;
    return STATUS_SUCCESS;
}

static POBJECT_HEADER ObpFindExact(PCUNICODE_STRING Name)
{
    for (PLIST_ENTRY e = ObpNamespace.Flink; e != &ObpNamespace; e = e->Flink) {
        POBJECT_HEADER h = CONTAINING_RECORD(e, OBJECT_HEADER, NamespaceEntry);
        if (RtlEqualUnicodeString(&h->Name, Name, TRUE))
            return h;
    }
    return NULL;
}

/* IRQL <= DISPATCH_LEVEL. Names are unique; the namespace holds no reference (the owner
 * removes the name before the object can go away). */
NTSTATUS ObInsertObjectName(PVOID Object)
{
    POBJECT_HEADER h = OBJECT_TO_OBJECT_HEADER(Object);
    KIRQL old;
    if (!h->Name.Length || h->Name.Buffer[0] != L'\\')
        return STATUS_OBJECT_NAME_INVALID;
    KeAcquireSpinLock(&ObpLock, &old);
    NTSTATUS st = STATUS_OBJECT_NAME_COLLISION;
    if (!ObpFindExact(&h->Name)) {
        InsertTailList(&ObpNamespace, &h->NamespaceEntry);
        h->InNamespace = TRUE;
        st = STATUS_SUCCESS;
    }
    KeReleaseSpinLock(&ObpLock, old);
    return st;
}

/* IRQL <= DISPATCH_LEVEL. */
VOID ObMakeTemporaryObject(PVOID Object)
{
    POBJECT_HEADER h = OBJECT_TO_OBJECT_HEADER(Object);
    KIRQL old;
    KeAcquireSpinLock(&ObpLock, &old);
    if (h->InNamespace) {
        RemoveEntryList(&h->NamespaceEntry);
        h->InNamespace = FALSE;
    }
    KeReleaseSpinLock(&ObpLock, old);
}

/* IRQL <= DISPATCH_LEVEL. The longest name that is Name itself or a prefix of it ending at a
 * backslash; returns the object referenced and how much of Name it matched. */
PVOID ObpLookupName(PCUNICODE_STRING Name, USHORT *MatchedLength)
{
    POBJECT_HEADER best = NULL;
    KIRQL old;
    KeAcquireSpinLock(&ObpLock, &old);
    for (PLIST_ENTRY e = ObpNamespace.Flink; e != &ObpNamespace; e = e->Flink) {
        POBJECT_HEADER h = CONTAINING_RECORD(e, OBJECT_HEADER, NamespaceEntry);
        USHORT n = h->Name.Length;
        if (n > Name->Length || (best && n <= best->Name.Length))
            continue;
        if (n < Name->Length && Name->Buffer[n / 2] != L'\\')
            continue;
        UNICODE_STRING prefix = { n, n, Name->Buffer };
        if (RtlEqualUnicodeString(&prefix, &h->Name, TRUE))
            best = h;
    }
    if (best)
        __atomic_add_fetch(&best->PointerCount, 1, __ATOMIC_SEQ_CST);
    KeReleaseSpinLock(&ObpLock, old);
    if (MatchedLength)
        *MatchedLength = best ? best->Name.Length : 0;
    return best ? best->Body : NULL;
}

BOOLEAN ObIsObjectOfType(PVOID Object, POBJECT_TYPE Type)
{
    return Object && OBJECT_TO_OBJECT_HEADER(Object)->Magic == OB_HEADER_MAGIC &&
           OBJECT_TO_OBJECT_HEADER(Object)->Type == Type;
}

/* IRQL <= DISPATCH_LEVEL. */
VOID ObfReferenceObject(PVOID Object)
{
    POBJECT_HEADER h = OBJECT_TO_OBJECT_HEADER(Object);
    if (h->Magic != OB_HEADER_MAGIC || __atomic_add_fetch(&h->PointerCount, 1, __ATOMIC_SEQ_CST) <= 1)
        KeBugCheckEx(0x18 /* REFERENCE_BY_POINTER */, 0, (ULONG_PTR)Object, 0, h->PointerCount);
}

/* IRQL <= DISPATCH_LEVEL. The last reference runs the type's delete procedure and frees. */
VOID ObfDereferenceObject(PVOID Object)
{
    POBJECT_HEADER h = OBJECT_TO_OBJECT_HEADER(Object);
    if (h->Magic != OB_HEADER_MAGIC)
        KeBugCheckEx(0x18 /* REFERENCE_BY_POINTER */, 0, (ULONG_PTR)Object, 0, 0);
    LONG n = __atomic_sub_fetch(&h->PointerCount, 1, __ATOMIC_SEQ_CST);
    if (n <= 0)
        ObpLastReferenceGone(Object, n);
}

/* IRQL <= DISPATCH_LEVEL. A dereference left Count references: below zero is the 0x18 stop,
 * zero runs the type's delete procedure and frees. */
VOID ObpLastReferenceGone(PVOID Object, LONG Count)
{
    POBJECT_HEADER h = OBJECT_TO_OBJECT_HEADER(Object);
    if (Count < 0)
        KeBugCheckEx(0x18 /* REFERENCE_BY_POINTER */, 0, (ULONG_PTR)Object, 0, (ULONG_PTR)Count);
    ObMakeTemporaryObject(Object);
    if (h->Type->DeleteProcedure)
        h->Type->DeleteProcedure(Object);
    h->Magic = 0;
    ExFreePoolWithTag(h, h->Type->Tag);
}

LONG ObGetObjectPointerCount(PVOID Object) { return OBJECT_TO_OBJECT_HEADER(Object)->PointerCount; }

/* PASSIVE_LEVEL (it may touch pageable name buffers on Windows; checked here). The result
 * is a UNICODE_STRING followed by the name, as Windows lays it out. */
NTSTATUS ObQueryNameString(PVOID Object, POBJECT_NAME_INFORMATION ObjectNameInfo, ULONG Length, PULONG ReturnLength)
{
    VF_DDI_CHECK(ObQueryNameString);
    POBJECT_HEADER h = OBJECT_TO_OBJECT_HEADER(Object);
    UNICODE_STRING name = h->Name;
    if (ObIsObjectOfType(Object, &IopFileType)) {
        /* a file's name is its device's name followed by the file name */
        PFILE_OBJECT f = Object;
        name = OBJECT_TO_OBJECT_HEADER(f->DeviceObject)->Name;
        ULONG need = sizeof(OBJECT_NAME_INFORMATION) + name.Length + f->FileName.Length + sizeof(WCHAR);
        *ReturnLength = need;
        if (Length < need)
            return STATUS_INFO_LENGTH_MISMATCH;
        PWSTR buf = (PWSTR)(ObjectNameInfo + 1);
        RtlCopyMemory(buf, name.Buffer, name.Length);
        RtlCopyMemory((PUCHAR)buf + name.Length, f->FileName.Buffer, f->FileName.Length);
        ObjectNameInfo->Name.Buffer = buf;
        ObjectNameInfo->Name.Length = (USHORT)(name.Length + f->FileName.Length);
        ObjectNameInfo->Name.MaximumLength = (USHORT)(ObjectNameInfo->Name.Length + sizeof(WCHAR));
        buf[ObjectNameInfo->Name.Length / 2] = 0;
        return STATUS_SUCCESS;
    }
    ULONG need = sizeof(OBJECT_NAME_INFORMATION) + (name.Length ? name.Length + sizeof(WCHAR) : 0);
    *ReturnLength = need;
    if (Length < need)
        return STATUS_INFO_LENGTH_MISMATCH;
    ObjectNameInfo->Name.Length = name.Length;
    ObjectNameInfo->Name.MaximumLength = name.Length ? name.Length + sizeof(WCHAR) : 0;
    ObjectNameInfo->Name.Buffer = name.Length ? (PWSTR)(ObjectNameInfo + 1) : NULL;
    if (name.Length) {
        RtlCopyMemory(ObjectNameInfo->Name.Buffer, name.Buffer, name.Length);
        ObjectNameInfo->Name.Buffer[name.Length / 2] = 0;
    }
    return STATUS_SUCCESS;
}

/* IRQL <= DISPATCH_LEVEL. Exact names only; ObjectType (a POBJECT_TYPE) may be NULL. */
NTSTATUS ObReferenceObjectByName(PUNICODE_STRING ObjectName, ULONG Attributes, PVOID AccessState,
                                 ACCESS_MASK DesiredAccess, PVOID ObjectType, KPROCESSOR_MODE AccessMode,
                                 PVOID ParseContext, PVOID *Object)
{
    USHORT matched;
    UNREFERENCED_PARAMETER(Attributes);
    UNREFERENCED_PARAMETER(AccessState);
    UNREFERENCED_PARAMETER(DesiredAccess);
    UNREFERENCED_PARAMETER(AccessMode);
    UNREFERENCED_PARAMETER(ParseContext);
    if (!ObjectName || !ObjectName->Length || ObjectName->Buffer[0] != L'\\')
        return STATUS_OBJECT_NAME_INVALID;
    PVOID o = ObpLookupName(ObjectName, &matched);
    if (!o)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    if (matched != ObjectName->Length) {
        ObDereferenceObject(o);
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    if (ObjectType && !ObIsObjectOfType(o, ObjectType)) {
        ObDereferenceObject(o);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    *Object = o;
    return STATUS_SUCCESS;
}
