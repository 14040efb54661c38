/* drivers/fltmgr/fltname.c - the names minifilters print: the volume's device name followed by
 * the path the file was opened with, parsed into parent, final component and extension. */
#include "fltmgrp.h"

typedef struct _FLTP_NAME {
    FLT_FILE_NAME_INFORMATION Info;
    PFLT_FILTER Filter;
    volatile LONG References;
    WCHAR Buffer[];
} FLTP_NAME;

/* IRQL <= APC_LEVEL. Both formats give the opened name: FAT's names are already its long names,
 * and short-name queries are not supported (STATUS_NOT_SUPPORTED). */
NTSTATUS FLTAPI FltGetFileNameInformationUnsafe(PFILE_OBJECT FileObject, PFLT_INSTANCE Instance,
                                                FLT_FILE_NAME_OPTIONS NameOptions,
                                                PFLT_FILE_NAME_INFORMATION *FileNameInformation)
{
    *FileNameInformation = NULL;
    if ((NameOptions & FLT_VALID_FILE_NAME_FORMATS) == FLT_FILE_NAME_SHORT)
        return STATUS_NOT_SUPPORTED;
    if (!FileObject || !Instance)
        return STATUS_INVALID_PARAMETER;
    PCUNICODE_STRING vol = &Instance->Volume->Name;
    PCUNICODE_STRING rel = FileObject->RelatedFileObject ? &FileObject->RelatedFileObject->FileName : NULL;
    USHORT len = vol->Length + (rel ? rel->Length + sizeof(WCHAR) : 0) + FileObject->FileName.Length;
    FLTP_NAME *n = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*n) + len + sizeof(WCHAR), FLTP_NAME_TAG);
    if (!n)
        return STATUS_INSUFFICIENT_RESOURCES;
    PWCHAR p = n->Buffer;
    RtlCopyMemory(p, vol->Buffer, vol->Length);
    p += vol->Length / sizeof(WCHAR);
    if (rel) {
        RtlCopyMemory(p, rel->Buffer, rel->Length);
        p += rel->Length / sizeof(WCHAR);
        *p++ = L'\\';
    }
    RtlCopyMemory(p, FileObject->FileName.Buffer, FileObject->FileName.Length);
    if (!FileObject->FileName.Length && !rel) { /* the volume itself: "\Device\RamDisk0\" */
        len += sizeof(WCHAR);
        p[0] = L'\\';
    }
    n->Info.Size = sizeof(FLT_FILE_NAME_INFORMATION);
    n->Info.Format = NameOptions & FLT_VALID_FILE_NAME_FORMATS;
    n->Info.Name.Buffer = n->Buffer;
    n->Info.Name.Length = len;
    n->Info.Name.MaximumLength = len + sizeof(WCHAR);
    n->Info.Volume.Buffer = n->Buffer;
    n->Info.Volume.Length = n->Info.Volume.MaximumLength = vol->Length;
    n->Filter = Instance->Filter;
    n->References = 1;
    __atomic_add_fetch(&Instance->Filter->Names, 1, __ATOMIC_SEQ_CST);
    *FileNameInformation = &n->Info;
    return STATUS_SUCCESS;
}

/* IRQL <= APC_LEVEL. */
NTSTATUS FLTAPI FltGetFileNameInformation(PFLT_CALLBACK_DATA CallbackData, FLT_FILE_NAME_OPTIONS NameOptions,
                                          PFLT_FILE_NAME_INFORMATION *FileNameInformation)
{
    if (KeGetCurrentIrql() > APC_LEVEL) {
        *FileNameInformation = NULL;
        return STATUS_FLT_INVALID_NAME_REQUEST;
    }
    return FltGetFileNameInformationUnsafe(CallbackData->Iopb->TargetFileObject, CallbackData->Iopb->TargetInstance,
                                           NameOptions, FileNameInformation);
}

/* IRQL <= APC_LEVEL. "\Device\RamDisk0\DIR\FILE.TXT": ParentDir "\DIR\", FinalComponent
 * "FILE.TXT", Extension "TXT"; no streams on FAT. */
NTSTATUS FLTAPI FltParseFileNameInformation(PFLT_FILE_NAME_INFORMATION FileNameInformation)
{
    PFLT_FILE_NAME_INFORMATION i = FileNameInformation;
    USHORT n = i->Name.Length / sizeof(WCHAR), v = i->Volume.Length / sizeof(WCHAR), last = v, dot = 0;
    for (USHORT k = v; k < n; k++) {
        if (i->Name.Buffer[k] == L'\\')
            last = k, dot = 0;
        else if (i->Name.Buffer[k] == L'.')
            dot = k;
    }
    i->ParentDir.Buffer = i->Name.Buffer + v;
    i->ParentDir.Length = i->ParentDir.MaximumLength = (USHORT)((last + 1 - v) * sizeof(WCHAR));
    i->FinalComponent.Buffer = i->Name.Buffer + last + 1;
    i->FinalComponent.Length = i->FinalComponent.MaximumLength = (USHORT)((n - last - 1) * sizeof(WCHAR));
    if (dot) {
        i->Extension.Buffer = i->Name.Buffer + dot + 1;
        i->Extension.Length = i->Extension.MaximumLength = (USHORT)((n - dot - 1) * sizeof(WCHAR));
    }
    i->NamesParsed = FLTFL_FILE_NAME_PARSED_FINAL_COMPONENT | FLTFL_FILE_NAME_PARSED_EXTENSION |
                     FLTFL_FILE_NAME_PARSED_STREAM | FLTFL_FILE_NAME_PARSED_PARENT_DIR;
    return STATUS_SUCCESS;
}

VOID FLTAPI FltReferenceFileNameInformation(PFLT_FILE_NAME_INFORMATION FileNameInformation)
{
    __atomic_add_fetch(&CONTAINING_RECORD(FileNameInformation, FLTP_NAME, Info)->References, 1, __ATOMIC_SEQ_CST);
}

/* IRQL <= APC_LEVEL. Releasing more often than referenced: FLTMGR_FILE_SYSTEM 0x68. */
VOID FLTAPI FltReleaseFileNameInformation(PFLT_FILE_NAME_INFORMATION FileNameInformation)
{
    FLTP_NAME *n = CONTAINING_RECORD(FileNameInformation, FLTP_NAME, Info);
    LONG left = __atomic_sub_fetch(&n->References, 1, __ATOMIC_SEQ_CST);
    if (left < 0)
        KeBugCheckEx(FLTMGR_FILE_SYSTEM, FLTMGR_NAME_OVER_RELEASED, 0, (ULONG_PTR)FileNameInformation, 0);
    if (left)
        return;
    __atomic_sub_fetch(&n->Filter->Names, 1, __ATOMIC_SEQ_CST);
    n->References = -1; /* a later release still sees the over-release, not a reuse */
    ExFreePoolWithTag(n, FLTP_NAME_TAG);
}
