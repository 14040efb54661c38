/* drivers/fltmgr/fltinstance.c - instances: a filter attached to one volume at its altitude, set
 * up through InstanceSetup, torn down with draining of the post callbacks still owed to it. */
#include "fltmgrp.h"

VOID FltpRelatedObjects(PFLT_RELATED_OBJECTS Objects, PFLT_INSTANCE Instance, PFILE_OBJECT FileObject)
{
    FLT_RELATED_OBJECTS o = { sizeof(FLT_RELATED_OBJECTS), 0, Instance->Filter, Instance->Volume, Instance,
                              FileObject, NULL };
    RtlCopyMemory(Objects, &o, sizeof(o));
}

static NTSTATUS FltpCreateInstance(PFLT_FILTER Filter, PFLT_VOLUME Volume, PCUNICODE_STRING Name,
                                   FLT_INSTANCE_SETUP_FLAGS Flags, PFLT_INSTANCE *Out)
{
    *Out = NULL;
    for (PLIST_ENTRY l = Filter->Instances.Flink; l != &Filter->Instances; l = l->Flink)
        if (CONTAINING_RECORD(l, FLT_INSTANCE, FilterLink)->Volume == Volume)
            return STATUS_FLT_INSTANCE_NAME_COLLISION; /* one instance per filter and volume here */
    PFLT_INSTANCE i = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*i), FLTP_TAG);
    if (!i)
        return STATUS_INSUFFICIENT_RESOURCES;
    i->Signature = FLTP_INSTANCE_SIG;
    i->Filter = Filter;
    i->Volume = Volume;
    i->Altitude = Filter->Altitude;
    i->Name.Buffer = i->NameBuffer;
    i->Name.MaximumLength = sizeof(i->NameBuffer);
    i->Name.Length = (USHORT)(Name->Length < sizeof(i->NameBuffer) ? Name->Length : sizeof(i->NameBuffer));
    RtlCopyMemory(i->NameBuffer, Name->Buffer, i->Name.Length);
    InitializeListHead(&i->InFlight);
    InitializeListHead(&i->StreamContexts);
    KeInitializeEvent(&i->Idle, NotificationEvent, FALSE);

    /* The filter decides: STATUS_FLT_DO_NOT_ATTACH (or any error) keeps it off the volume. */
    if (Filter->Registration.InstanceSetupCallback) {
        FLT_RELATED_OBJECTS o;
        FltpRelatedObjects(&o, i, NULL);
        NTSTATUS st = Filter->Registration.InstanceSetupCallback(&o, Flags, Volume->FsVolume->DeviceType,
                                                                 FLT_FSTYPE_FAT);
        if (!NT_SUCCESS(st)) {
            FltpFreeInstanceContexts(i);
            ExFreePoolWithTag(i, FLTP_TAG);
            return st;
        }
    }
    KIRQL irql;
    KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
    PLIST_ENTRY at = &Volume->Instances; /* highest altitude first */
    for (PLIST_ENTRY l = Volume->Instances.Flink; l != &Volume->Instances; l = l->Flink)
        if (CONTAINING_RECORD(l, FLT_INSTANCE, VolumeLink)->Altitude < i->Altitude) {
            at = l;
            break;
        }
    InsertTailList(at, &i->VolumeLink);
    InsertTailList(&Filter->Instances, &i->FilterLink);
    KeReleaseSpinLock(&FltpGlobals.Lock, irql);
    *Out = i;
    return STATUS_SUCCESS;
}

/* IRQL == PASSIVE_LEVEL. The INF's default instance on a volume. */
VOID FltpAutoAttach(PFLT_FILTER Filter, PFLT_VOLUME Volume, FLT_INSTANCE_SETUP_FLAGS Flags)
{
    UNICODE_STRING name;
    PFLT_INSTANCE i;
    RtlInitUnicodeString(&name, (PCWSTR)Filter->Inf->DefaultInstance);
    FltpCreateInstance(Filter, Volume, &name, Flags, &i);
}

/* IRQL == PASSIVE_LEVEL. */
NTSTATUS FLTAPI FltAttachVolume(PFLT_FILTER Filter, PFLT_VOLUME Volume, PCUNICODE_STRING InstanceName,
                                PFLT_INSTANCE *RetInstance)
{
    UNICODE_STRING def;
    PFLT_INSTANCE i;
    if (!Filter->Started)
        return STATUS_FLT_NOT_INITIALIZED;
    if (!InstanceName) {
        RtlInitUnicodeString(&def, (PCWSTR)Filter->Inf->DefaultInstance);
        InstanceName = &def;
    }
    NTSTATUS st = FltpCreateInstance(Filter, Volume, InstanceName, FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT, &i);
    if (NT_SUCCESS(st) && RetInstance)
        *RetInstance = i;
    return st;
}

static PFLT_INSTANCE FltpFindInstance(PFLT_FILTER Filter, PFLT_VOLUME Volume)
{
    for (PLIST_ENTRY l = Filter->Instances.Flink; l != &Filter->Instances; l = l->Flink) {
        PFLT_INSTANCE i = CONTAINING_RECORD(l, FLT_INSTANCE, FilterLink);
        if (i->Volume == Volume)
            return i;
    }
    return NULL;
}

/* IRQL == PASSIVE_LEVEL. A manual detach asks the filter first; a filter without an
 * InstanceQueryTeardown callback cannot be detached this way, as on Windows. */
NTSTATUS FLTAPI FltDetachVolume(PFLT_FILTER Filter, PFLT_VOLUME Volume, PCUNICODE_STRING InstanceName)
{
    UNREFERENCED_PARAMETER(InstanceName);
    PFLT_INSTANCE i = FltpFindInstance(Filter, Volume);
    if (!i)
        return STATUS_FLT_INSTANCE_NOT_FOUND;
    if (!Filter->Registration.InstanceQueryTeardownCallback)
        return STATUS_FLT_DO_NOT_DETACH;
    FLT_RELATED_OBJECTS o;
    FltpRelatedObjects(&o, i, NULL);
    if (!NT_SUCCESS(Filter->Registration.InstanceQueryTeardownCallback(&o, 0)))
        return STATUS_FLT_DO_NOT_DETACH;
    FltpTeardownInstance(i, FLTFL_INSTANCE_TEARDOWN_MANUAL);
    return STATUS_SUCCESS;
}

/* Post callbacks still owed to the instance run now with FLTFL_POST_OPERATION_DRAINING: the
 * filter must let go of the operation, which completes later without it. */
static VOID FltpDrain(PFLT_INSTANCE Instance)
{
    for (;;) {
        KIRQL irql;
        FLTP_COMPLETION_NODE *node = NULL;
        KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
        if (!IsListEmpty(&Instance->InFlight)) {
            node = CONTAINING_RECORD(RemoveHeadList(&Instance->InFlight), FLTP_COMPLETION_NODE, Link);
            node->Called = TRUE;
            __atomic_add_fetch(&node->Ctrl->Refs, 1, __ATOMIC_SEQ_CST);
        }
        KeReleaseSpinLock(&FltpGlobals.Lock, irql);
        if (!node)
            return;
        PFLTP_IRP_CTRL ctrl = node->Ctrl;
        FLT_RELATED_OBJECTS o;
        FltpRelatedObjects(&o, Instance, ctrl->Iopb.TargetFileObject);
        __atomic_add_fetch(&FltpGlobals.Drained, 1, __ATOMIC_RELAXED);
        Instance->Filter->Post[ctrl->Iopb.MajorFunction](&ctrl->Data, &o, node->Context, FLTFL_POST_OPERATION_DRAINING);
        FltpReleaseCtrl(ctrl);
        if (__atomic_sub_fetch(&Instance->Operations, 1, __ATOMIC_SEQ_CST) == 0)
            KeSetEvent(&Instance->Idle, IO_NO_INCREMENT, FALSE);
    }
}

/* IRQL == PASSIVE_LEVEL. No new operation sees the instance; owed post callbacks are drained;
 * then it waits for the operations still holding it (a pended pre-operation resumes). Under
 * Verifier an operation a filter pended and never completed is reported, not waited on
 * forever: the wait is bounded in virtual time. */
VOID FltpTeardownInstance(PFLT_INSTANCE Instance, FLT_INSTANCE_TEARDOWN_FLAGS Reason)
{
    PFLT_FILTER f = Instance->Filter;
    FLT_RELATED_OBJECTS o;
    KIRQL irql;
    FltpRelatedObjects(&o, Instance, NULL);
    KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
    Instance->TearingDown = TRUE;
    RemoveEntryList(&Instance->VolumeLink);
    KeReleaseSpinLock(&FltpGlobals.Lock, irql);
    if (f->Registration.InstanceTeardownStartCallback)
        f->Registration.InstanceTeardownStartCallback(&o, Reason);
    FltpDrain(Instance);
    while (__atomic_load_n(&Instance->Operations, __ATOMIC_SEQ_CST)) {
        LARGE_INTEGER timeout = { .QuadPart = -10 * 1000 * 1000 * 5LL }; /* 5 s */
        if (KeWaitForSingleObject(&Instance->Idle, Executive, KernelMode, FALSE,
                                  FltpVerifying() ? &timeout : NULL) == STATUS_TIMEOUT &&
            __atomic_load_n(&f->Pended, __ATOMIC_SEQ_CST))
            FltpVerifierError(f, "A filter pended an operation and never completed it; unload waits for it",
                              (ULONG_PTR)f->Pended);
        KeClearEvent(&Instance->Idle);
        FltpDrain(Instance); /* a resumed operation may have pushed another owed callback */
    }
    if (f->Registration.InstanceTeardownCompleteCallback)
        f->Registration.InstanceTeardownCompleteCallback(&o, Reason);
    FltpFreeInstanceContexts(Instance);
    KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
    RemoveEntryList(&Instance->FilterLink);
    KeReleaseSpinLock(&FltpGlobals.Lock, irql);
    Instance->Signature = 0;
    ExFreePoolWithTag(Instance, FLTP_TAG);
}

/* IRQL <= DISPATCH_LEVEL. */
NTSTATUS FLTAPI FltGetVolumeFromInstance(PFLT_INSTANCE Instance, PFLT_VOLUME *RetVolume)
{
    *RetVolume = Instance->Volume;
    return STATUS_SUCCESS;
}

NTSTATUS FLTAPI FltGetFilterFromInstance(PFLT_INSTANCE Instance, PFLT_FILTER *RetFilter)
{
    *RetFilter = Instance->Filter;
    return STATUS_SUCCESS;
}

/* IRQL <= APC_LEVEL. Windows names a volume by its storage device, e.g. \Device\RamDisk0. */
NTSTATUS FLTAPI FltGetVolumeName(PFLT_VOLUME Volume, PUNICODE_STRING VolumeName, PULONG BufferSizeNeeded)
{
    if (BufferSizeNeeded)
        *BufferSizeNeeded = Volume->Name.Length;
    if (!VolumeName || VolumeName->MaximumLength < Volume->Name.Length)
        return STATUS_BUFFER_TOO_SMALL;
    RtlCopyMemory(VolumeName->Buffer, Volume->Name.Buffer, Volume->Name.Length);
    VolumeName->Length = Volume->Name.Length;
    return STATUS_SUCCESS;
}

/* IRQL == PASSIVE_LEVEL. */
NTSTATUS FLTAPI FltGetVolumeFromName(PFLT_FILTER Filter, PCUNICODE_STRING VolumeName, PFLT_VOLUME *RetVolume)
{
    UNREFERENCED_PARAMETER(Filter);
    for (PLIST_ENTRY l = FltpGlobals.Volumes.Flink; l != &FltpGlobals.Volumes; l = l->Flink) {
        PFLT_VOLUME v = CONTAINING_RECORD(l, FLT_VOLUME, Link);
        if (!v->Dismounting && RtlEqualUnicodeString(&v->Name, VolumeName, TRUE)) {
            *RetVolume = v;
            return STATUS_SUCCESS;
        }
    }
    return STATUS_FLT_VOLUME_NOT_FOUND;
}

/* IRQL <= APC_LEVEL. */
NTSTATUS FLTAPI FltEnumerateVolumes(PFLT_FILTER Filter, PFLT_VOLUME *VolumeList, ULONG VolumeListSize,
                                    PULONG NumberVolumesReturned)
{
    ULONG n = 0, total = 0;
    UNREFERENCED_PARAMETER(Filter);
    for (PLIST_ENTRY l = FltpGlobals.Volumes.Flink; l != &FltpGlobals.Volumes; l = l->Flink, total++)
        if (n < VolumeListSize)
            VolumeList[n++] = CONTAINING_RECORD(l, FLT_VOLUME, Link);
    *NumberVolumesReturned = n < total ? total : n;
    return n < total ? STATUS_BUFFER_TOO_SMALL : STATUS_SUCCESS;
}
