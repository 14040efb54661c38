/* io/symlink.c - symbolic links (\??\Name -> \Device\X) and the \DosDevices alias: created and
 * deleted by drivers, followed by every open that parses a name (ZwCreateFile and friends). */
#include "iop.h"

/* A link object's body: where it points. */
typedef struct _IOP_SYMBOLIC_LINK {
    UNICODE_STRING Target;
    WCHAR Buffer[];
} IOP_SYMBOLIC_LINK, *PIOP_SYMBOLIC_LINK;

OBJECT_TYPE IopSymbolicLinkType = { "SymbolicLink", 'lySI', NULL, NULL };

#define IOP_MAX_REPARSE 32
#define IOP_NAME_MAX 512 /* characters */

static BOOLEAN IopHasPrefix(PCUNICODE_STRING Name, PCWSTR Prefix, USHORT *PrefixBytes)
{
    USHORT n = 0;
    while (Prefix[n])
        n++;
    n *= sizeof(WCHAR);
    if (Name->Length < n)
        return FALSE;
    if (Name->Length > n && Name->Buffer[n / 2] != L'\\')
        return FALSE;
    UNICODE_STRING head = { n, n, Name->Buffer };
    UNICODE_STRING want = { n, n, (PWSTR)Prefix };
    if (!RtlEqualUnicodeString(&head, &want, TRUE))
        return FALSE;
    *PrefixBytes = n;
    return TRUE;
}

/* \DosDevices and \GLOBAL?? are Windows' links to \??: the canonical spelling of a DOS
 * device name is \??\Name. Writes the canonical form of Name into Out (Out's buffer). */
static NTSTATUS IopCanonicalName(PCUNICODE_STRING Name, PUNICODE_STRING Out)
{
    static const PCWSTR aliases[] = { L"\\DosDevices", L"\\GLOBAL??", L"\\Global??" };
    USHORT skip = 0;
    PCWSTR head = NULL;
    for (ULONG i = 0; i < ARRAYSIZE(aliases) && !head; i++)
        if (IopHasPrefix(Name, aliases[i], &skip))
            head = L"\\??";
    USHORT headBytes = head ? 3 * sizeof(WCHAR) : 0;
    if ((ULONG)headBytes + Name->Length - skip > Out->MaximumLength)
        return STATUS_OBJECT_NAME_INVALID;
    if (head)
        RtlCopyMemory(Out->Buffer, head, headBytes);
    RtlMoveMemory((PUCHAR)Out->Buffer + headBytes, (PUCHAR)Name->Buffer + skip, Name->Length - skip);
    Out->Length = (USHORT)(headBytes + Name->Length - skip);
    return STATUS_SUCCESS;
}

/* IRQL <= DISPATCH_LEVEL. Follows links: while the longest named prefix of Name is a link,
 * its target replaces that prefix. Out gets a pool buffer (tag 'lySI') the caller frees with
 * IopFreeResolvedName. */
NTSTATUS IopResolveName(PCUNICODE_STRING Name, PUNICODE_STRING Out)
{
    PWSTR a = ExAllocatePoolWithTag(NonPagedPool, 2 * IOP_NAME_MAX * sizeof(WCHAR), 'lySI');
    if (!a)
        return STATUS_INSUFFICIENT_RESOURCES;
    UNICODE_STRING cur = { 0, IOP_NAME_MAX * sizeof(WCHAR), a };
    UNICODE_STRING next = { 0, IOP_NAME_MAX * sizeof(WCHAR), a + IOP_NAME_MAX };
    NTSTATUS st = IopCanonicalName(Name, &cur);
    for (ULONG i = 0; NT_SUCCESS(st); i++) {
        USHORT matched;
        PVOID o = ObpLookupName(&cur, &matched);
        if (!o || !ObIsObjectOfType(o, &IopSymbolicLinkType)) {
            if (o)
                ObDereferenceObject(o);
            break;
        }
        PIOP_SYMBOLIC_LINK l = o;
        USHORT rest = cur.Length - matched;
        if (i == IOP_MAX_REPARSE || (ULONG)l->Target.Length + rest > next.MaximumLength) {
            ObDereferenceObject(o);
            st = STATUS_OBJECT_NAME_INVALID;
            break;
        }
        RtlCopyMemory(next.Buffer, l->Target.Buffer, l->Target.Length);
        RtlCopyMemory((PUCHAR)next.Buffer + l->Target.Length, (PUCHAR)cur.Buffer + matched, rest);
        next.Length = l->Target.Length + rest;
        ObDereferenceObject(o);
        st = IopCanonicalName(&next, &cur);
    }
    if (!NT_SUCCESS(st)) {
        ExFreePoolWithTag(a, 'lySI');
        return st;
    }
    *Out = cur;
    return STATUS_SUCCESS;
}

VOID IopFreeResolvedName(PUNICODE_STRING Name)
{
    PWSTR base = Name->Buffer; /* cur is always the first half of the allocation */
    ExFreePoolWithTag(base, 'lySI');
    Name->Buffer = NULL;
}

/* PASSIVE_LEVEL (rule IrqlIoPassive4). The link is permanent until IoDeleteSymbolicLink.
 * STATUS_OBJECT_NAME_COLLISION if the name exists. */
NTSTATUS IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
    VF_DDI_CHECK(IoCreateSymbolicLink);
    WCHAR nameBuf[IOP_NAME_MAX];
    UNICODE_STRING name = { 0, sizeof(nameBuf), nameBuf };
    if (!SymbolicLinkName || !DeviceName || !SymbolicLinkName->Length || !DeviceName->Length ||
        SymbolicLinkName->Buffer[0] != L'\\')
        return STATUS_OBJECT_NAME_INVALID;
    NTSTATUS st = IopCanonicalName(SymbolicLinkName, &name);
    if (!NT_SUCCESS(st))
        return st;
    PIOP_SYMBOLIC_LINK l;
    st = ObCreateObject(&IopSymbolicLinkType, sizeof(IOP_SYMBOLIC_LINK) + DeviceName->Length, &name, (PVOID *)&l);
    if (!NT_SUCCESS(st))
        return st;
    l->Target.Buffer = l->Buffer;
    l->Target.Length = l->Target.MaximumLength = DeviceName->Length;
    RtlCopyMemory(l->Buffer, DeviceName->Buffer, DeviceName->Length);
    st = ObInsertObjectName(l);
    if (!NT_SUCCESS(st))
        ObDereferenceObject(l); /* the namespace holds the creation reference otherwise */
    return st;
}

/* PASSIVE_LEVEL (rule IrqlIoPassive4). No access checks exist here, so it is the same. */
NTSTATUS IoCreateUnprotectedSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
    VF_DDI_CHECK(IoCreateUnprotectedSymbolicLink);
    return IoCreateSymbolicLink(SymbolicLinkName, DeviceName);
}

/* PASSIVE_LEVEL (rule IrqlIoPassive4). STATUS_OBJECT_NAME_NOT_FOUND if there is no such link. */
NTSTATUS IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName)
{
    VF_DDI_CHECK(IoDeleteSymbolicLink);
    WCHAR nameBuf[IOP_NAME_MAX];
    UNICODE_STRING name = { 0, sizeof(nameBuf), nameBuf };
    USHORT matched;
    if (!SymbolicLinkName || !SymbolicLinkName->Length)
        return STATUS_OBJECT_NAME_INVALID;
    NTSTATUS st = IopCanonicalName(SymbolicLinkName, &name);
    if (!NT_SUCCESS(st))
        return st;
    PVOID o = ObpLookupName(&name, &matched);
    if (!o)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    if (matched != name.Length || !ObIsObjectOfType(o, &IopSymbolicLinkType)) {
        ObDereferenceObject(o);
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    ObMakeTemporaryObject(o);
    ObDereferenceObject(o); /* the lookup's */
    ObDereferenceObject(o); /* the creation reference the permanent name kept */
    return STATUS_SUCCESS;
}
