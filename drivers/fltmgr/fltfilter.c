/* drivers/fltmgr/fltfilter.c - minifilter registration: FltRegisterFilter reads the driver's
 * operation table and its INF entry (altitude), FltStartFiltering attaches, FltUnregisterFilter drains. */
#include "fltmgrp.h"

extern const IRQLAB_MINIFILTER_INF __kfltinf_start[], __kfltinf_end[];

static BOOLEAN FltpSameName(const unsigned short *Wide, PCUNICODE_STRING Name)
{
    USHORT n = 0;
    while (Wide[n])
        n++;
    if (n * sizeof(WCHAR) != Name->Length)
        return FALSE;
    for (USHORT i = 0; i < n; i++)
        if (RtlUpcaseUnicodeChar(Wide[i]) != RtlUpcaseUnicodeChar(Name->Buffer[i]))
            return FALSE;
    return TRUE;
}

/* The altitude is a decimal string, possibly with a fraction ("370030.5"); the integer part
 * orders filters here, as it does for every altitude Microsoft allocates. */
static BOOLEAN FltpParseAltitude(const unsigned short *Text, PULONG Value)
{
    ULONG v = 0, digits = 0;
    for (; *Text && *Text != '.'; Text++, digits++) {
        if (*Text < '0' || *Text > '9' || v > 429496728)
            return FALSE;
        v = v * 10 + (*Text - '0');
    }
    *Value = v;
    return digits > 0;
}

/* IRQL == PASSIVE_LEVEL. STATUS_OBJECT_NAME_NOT_FOUND when the driver has no INF entry (no
 * instance or altitude in its "registry"), as Windows fails a filter without those keys. */
NTSTATUS FLTAPI FltRegisterFilter(PDRIVER_OBJECT Driver, const FLT_REGISTRATION *Registration, PFLT_FILTER *RetFilter)
{
    const IRQLAB_MINIFILTER_INF *inf = NULL;
    ULONG altitude;
    *RetFilter = NULL;
    if (!Registration || Registration->Size < FIELD_OFFSET(FLT_REGISTRATION, GenerateFileNameCallback) ||
        (Registration->Version >> 8) != 2)
        return STATUS_INVALID_PARAMETER;
    for (const IRQLAB_MINIFILTER_INF *e = __kfltinf_start; e < __kfltinf_end; e++)
        if (FltpSameName(e->Service, &Driver->DriverName))
            inf = e;
    if (!inf)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    if (!FltpParseAltitude(inf->Altitude, &altitude))
        return STATUS_INVALID_PARAMETER;
    for (PLIST_ENTRY l = FltpGlobals.Filters.Flink; l != &FltpGlobals.Filters; l = l->Flink)
        if (CONTAINING_RECORD(l, FLT_FILTER, Link)->Altitude == altitude)
            return STATUS_FLT_INSTANCE_ALTITUDE_COLLISION;

    PFLT_FILTER f = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*f), FLTP_TAG);
    if (!f)
        return STATUS_INSUFFICIENT_RESOURCES;
    f->Signature = FLTP_FILTER_SIG;
    f->Driver = Driver;
    f->Registration = *Registration;
    f->Inf = inf;
    f->Altitude = altitude;
    InitializeListHead(&f->Instances);
    for (const FLT_OPERATION_REGISTRATION *op = Registration->OperationRegistration;
         op && op->MajorFunction != IRP_MJ_OPERATION_END; op++) {
        if (op->MajorFunction > IRP_MJ_MAXIMUM_FUNCTION)
            continue; /* the FsFilter pseudo-operations (negative majors) have no IRP here */
        f->Pre[op->MajorFunction] = op->PreOperation;
        f->Post[op->MajorFunction] = op->PostOperation;
        f->OpFlags[op->MajorFunction] = op->Flags;
    }
    ObReferenceObject(Driver); /* the driver stays while its filter exists */

    /* Highest altitude first: the order pre-operation callbacks are called in. */
    KIRQL irql;
    KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
    PLIST_ENTRY at = &FltpGlobals.Filters;
    for (PLIST_ENTRY l = FltpGlobals.Filters.Flink; l != &FltpGlobals.Filters; l = l->Flink)
        if (CONTAINING_RECORD(l, FLT_FILTER, Link)->Altitude < altitude) {
            at = l;
            break;
        }
    InsertTailList(at, &f->Link);
    KeReleaseSpinLock(&FltpGlobals.Lock, irql);
    *RetFilter = f;
    return STATUS_SUCCESS;
}

/* IRQL == PASSIVE_LEVEL. Instances on every mounted volume (automatic attachment), unless
 * the INF asked for manual attachment only. */
NTSTATUS FLTAPI FltStartFiltering(PFLT_FILTER Filter)
{
    if (Filter->Started)
        return STATUS_INVALID_PARAMETER;
    Filter->Started = TRUE;
    if (Filter->Inf->Flags & IRQLAB_INF_MANUAL_ATTACHMENT)
        return STATUS_SUCCESS;
    for (PLIST_ENTRY l = FltpGlobals.Volumes.Flink; l != &FltpGlobals.Volumes; l = l->Flink) {
        PFLT_VOLUME v = CONTAINING_RECORD(l, FLT_VOLUME, Link);
        if (!v->Dismounting)
            FltpAutoAttach(Filter, v, FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT);
    }
    return STATUS_SUCCESS;
}

/* IRQL == PASSIVE_LEVEL. Tears down every instance (each waits for its operations in flight
 * and drains the post callbacks still owed), then checks what the filter leaked. */
VOID FLTAPI FltUnregisterFilter(PFLT_FILTER Filter)
{
    KIRQL irql;
    Filter->Unloading = TRUE;
    while (!IsListEmpty(&Filter->Instances))
        FltpTeardownInstance(CONTAINING_RECORD(Filter->Instances.Flink, FLT_INSTANCE, FilterLink),
                             FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD);
    FltpCheckUnload(Filter);
    KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
    RemoveEntryList(&Filter->Link);
    KeReleaseSpinLock(&FltpGlobals.Lock, irql);
    ObDereferenceObject(Filter->Driver);
    Filter->Signature = 0;
    ExFreePoolWithTag(Filter, FLTP_TAG);
}

/* IRQL <= DISPATCH_LEVEL. Filters, volumes and instances are not reference-counted objects
 * here beyond what their teardown waits for; the calls exist so WDK code keeps its shape. */
NTSTATUS FLTAPI FltObjectReference(PVOID FltObject)
{
    PFLT_FILTER f = FltObject;
    if (f->Signature == FLTP_FILTER_SIG && f->Unloading)
        return STATUS_FLT_DELETING_OBJECT;
    if (f->Signature == FLTP_FILTER_SIG)
        __atomic_add_fetch(&f->References, 1, __ATOMIC_SEQ_CST);
    return STATUS_SUCCESS;
}

VOID FLTAPI FltObjectDereference(PVOID FltObject)
{
    PFLT_FILTER f = FltObject;
    if (f->Signature == FLTP_FILTER_SIG)
        __atomic_sub_fetch(&f->References, 1, __ATOMIC_SEQ_CST);
}

/* IRQL == PASSIVE_LEVEL. `fltmc unload Name`: the filter's FilterUnloadCallback decides (it
 * calls FltUnregisterFilter); a filter that registered none cannot be unloaded. Then the
 * driver object goes, as the image would on Windows. */
NTSTATUS FLTAPI FltUnloadFilter(PCUNICODE_STRING FilterName)
{
    PFLT_FILTER found = NULL;
    for (PLIST_ENTRY l = FltpGlobals.Filters.Flink; l != &FltpGlobals.Filters && !found; l = l->Flink) {
        PFLT_FILTER f = CONTAINING_RECORD(l, FLT_FILTER, Link);
        UNICODE_STRING last = f->Driver->DriverName;
        USHORT n = last.Length / sizeof(WCHAR);
        while (n && last.Buffer[n - 1] != L'\\')
            n--;
        last.Buffer += n;
        last.Length -= n * sizeof(WCHAR);
        if (RtlEqualUnicodeString(&last, FilterName, TRUE))
            found = f;
    }
    if (!found)
        return STATUS_FLT_FILTER_NOT_FOUND;
    if (!found->Registration.FilterUnloadCallback)
        return STATUS_FLT_DO_NOT_DETACH;
    PDRIVER_OBJECT driver = found->Driver;
    ObReferenceObject(driver);
    NTSTATUS st = found->Registration.FilterUnloadCallback(0);
    if (NT_SUCCESS(st))
        ObMakeTemporaryObject(driver);
    ObDereferenceObject(driver);
    return st;
}
