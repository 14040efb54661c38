/* drivers/fat/fsddir.c - directory enumeration (IRP_MN_QUERY_DIRECTORY): entries packed
 * 8-byte aligned and chained by NextEntryOffset, filtered by a * and ? pattern. */
#include "fsd.h"

/* Case-insensitive match of Name against Pattern with * and ?. */
static BOOLEAN FatFsdpMatch(PCWSTR P, ULONG Pn, PCWSTR N, ULONG Nn)
{
    ULONG p = 0, n = 0, starP = ~0u, starN = 0;
    while (n < Nn) {
        if (p < Pn && (P[p] == L'?' || RtlUpcaseUnicodeChar(P[p]) == RtlUpcaseUnicodeChar(N[n]))) {
            p++, n++;
        } else if (p < Pn && P[p] == L'*') {
            starP = p++, starN = n;
        } else if (starP != ~0u) {
            p = starP + 1, n = ++starN;
        } else {
            return FALSE;
        }
    }
    while (p < Pn && P[p] == L'*')
        p++;
    return p == Pn;
}

/* Writes one entry of Class at Buf; returns its size or 0 if it does not fit in Room. */
static ULONG FatFsdpFill(FILE_INFORMATION_CLASS Class, PUCHAR Buf, ULONG Room, PFAT_DIR_ENTRY_INFO E, ULONG Index)
{
    ULONG nameBytes = E->NameLength * sizeof(WCHAR), fixed, size;
    LONGLONG write = FatFsdDosTimeToNt(E->WriteDate, E->WriteTime);

    if (Class == FileNamesInformation)
        fixed = FIELD_OFFSET(FILE_NAMES_INFORMATION, FileName);
    else if (Class == FileBothDirectoryInformation)
        fixed = FIELD_OFFSET(FILE_BOTH_DIR_INFORMATION, FileName);
    else
        fixed = FIELD_OFFSET(FILE_DIRECTORY_INFORMATION, FileName);
    size = fixed + nameBytes;
    if (size > Room)
        return 0;
    RtlZeroMemory(Buf, fixed);
    if (Class == FileNamesInformation) {
        PFILE_NAMES_INFORMATION n = (PVOID)Buf;
        n->FileIndex = Index;
        n->FileNameLength = nameBytes;
        RtlCopyMemory(n->FileName, E->Name, nameBytes);
        return size;
    }
    /* FILE_BOTH_DIR_INFORMATION begins with FILE_DIRECTORY_INFORMATION's fields. */
    PFILE_DIRECTORY_INFORMATION d = (PVOID)Buf;
    d->FileIndex = Index;
    d->CreationTime.QuadPart = FatFsdDosTimeToNt(E->CreateDate, E->CreateTime);
    d->LastAccessTime.QuadPart = FatFsdDosTimeToNt(E->AccessDate, 0);
    d->LastWriteTime.QuadPart = d->ChangeTime.QuadPart = write;
    d->EndOfFile.QuadPart = E->FileSize;
    d->AllocationSize.QuadPart = E->FileSize;
    d->FileAttributes = E->Attributes ? E->Attributes : FILE_ATTRIBUTE_NORMAL;
    d->FileNameLength = nameBytes;
    if (Class == FileBothDirectoryInformation) {
        PFILE_BOTH_DIR_INFORMATION b = (PVOID)Buf;
        if (E->NameLength != E->ShortNameLength) {
            b->ShortNameLength = (CCHAR)(E->ShortNameLength * sizeof(WCHAR));
            RtlCopyMemory(b->ShortName, E->ShortName, E->ShortNameLength * sizeof(WCHAR));
        }
        RtlCopyMemory(b->FileName, E->Name, nameBytes);
    } else {
        RtlCopyMemory(d->FileName, E->Name, nameBytes);
    }
    return size;
}

static NTSTATUS FatFsdpSavePattern(PFSD_CCB Ccb, PUNICODE_STRING Pattern)
{
    if (Ccb->Pattern.Buffer || !Pattern || !Pattern->Length)
        return STATUS_SUCCESS;
    Ccb->Pattern.Buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, Pattern->Length, FSD_TAG);
    if (!Ccb->Pattern.Buffer)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyMemory(Ccb->Pattern.Buffer, Pattern->Buffer, Pattern->Length);
    Ccb->Pattern.Length = Ccb->Pattern.MaximumLength = Pattern->Length;
    return STATUS_SUCCESS;
}

/* IRQL == PASSIVE_LEVEL. STATUS_NO_SUCH_FILE when a first scan matches nothing,
 * STATUS_NO_MORE_FILES when a later one runs out, as Windows reports them. */
NTSTATUS FatFsdDirectoryControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PFSD_VCB vcb = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION sl = IoGetCurrentIrpStackLocation(Irp);
    PFSD_FCB fcb = sl->FileObject->FsContext;
    PFSD_CCB ccb = sl->FileObject->FsContext2;
    FILE_INFORMATION_CLASS cls = sl->Parameters.QueryDirectory.FileInformationClass;
    PUCHAR buf = FatFsdUserBuffer(Irp);
    ULONG room = sl->Parameters.QueryDirectory.Length, used = 0, last = 0, found = 0;
    PFAT_DIR_ENTRY_INFO e;
    NTSTATUS status = STATUS_SUCCESS;
    BOOLEAN first;

    if (sl->MinorFunction != IRP_MN_QUERY_DIRECTORY || !fcb)
        return FatFsdComplete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    if (!fcb->IsDirectory)
        return FatFsdComplete(Irp, STATUS_INVALID_PARAMETER, 0);
    if (cls != FileDirectoryInformation && cls != FileBothDirectoryInformation && cls != FileNamesInformation)
        return FatFsdComplete(Irp, STATUS_INVALID_INFO_CLASS, 0);
    if (!buf)
        return FatFsdComplete(Irp, STATUS_INVALID_USER_BUFFER, 0);
    e = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*e), FSD_TAG);
    if (!e)
        return FatFsdComplete(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);

    FatFsdLock(vcb);
    if (sl->Flags & SL_RESTART_SCAN)
        ccb->DirCursor = 0, ccb->ScanStarted = FALSE;
    first = !ccb->ScanStarted;
    ccb->ScanStarted = TRUE;
    status = FatFsdpSavePattern(ccb, sl->Parameters.QueryDirectory.FileName);
    while (NT_SUCCESS(status)) {
        ULONG cursor = ccb->DirCursor, size;
        status = FatEnumerateDirectory(fcb->File, &cursor, FALSE, e);
        if (!NT_SUCCESS(status))
            break;
        if (ccb->Pattern.Length &&
            !FatFsdpMatch(ccb->Pattern.Buffer, ccb->Pattern.Length / 2, e->Name, e->NameLength)) {
            ccb->DirCursor = cursor;
            continue;
        }
        used = (used + 7) & ~7u;
        size = used < room ? FatFsdpFill(cls, buf + used, room - used, e, cursor) : 0;
        if (!size) {
            status = found ? STATUS_SUCCESS : STATUS_BUFFER_OVERFLOW;
            break;
        }
        if (found)
            *(PULONG)(buf + last) = used - last; /* NextEntryOffset of the previous entry */
        last = used;
        used += size;
        found++;
        ccb->DirCursor = cursor;
        if (sl->Flags & SL_RETURN_SINGLE_ENTRY)
            break;
    }
    FatFsdUnlock(vcb);
    ExFreePoolWithTag(e, FSD_TAG);
    if (status == STATUS_NO_MORE_FILES && found)
        status = STATUS_SUCCESS;
    else if (status == STATUS_NO_MORE_FILES && first)
        status = STATUS_NO_SUCH_FILE;
    return FatFsdComplete(Irp, status, NT_SUCCESS(status) ? used : 0);
}
