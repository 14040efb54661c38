/* io/exobject.c - event and timer objects with handles and names (ZwCreateEvent, ZwSetTimer,
 * IoCreateNotificationEvent ...): dispatcher objects kept by the object manager. */
#include "iop.h"

static VOID ExpDeleteTimer(PVOID Object) { KeCancelTimer(Object); } /* never freed while queued */

OBJECT_TYPE ExpEventType = { "Event", 'tvEO', NULL, NULL };
OBJECT_TYPE ExpTimerType = { "Timer", 'miTO', ExpDeleteTimer, NULL };
static POBJECT_TYPE ExpEventTypePointer = &ExpEventType, ExpTimerTypePointer = &ExpTimerType;
POBJECT_TYPE *ExEventObjectType = &ExpEventTypePointer;
POBJECT_TYPE *ExTimerObjectType = &ExpTimerTypePointer;

/* Creates (or, when the name exists with the same type, opens) a named or unnamed object and
 * returns a handle; *Created says which. */
static NTSTATUS ExpCreate(POBJECT_TYPE Type, ULONG Size, POBJECT_ATTRIBUTES Attributes, PHANDLE Handle,
                          ACCESS_MASK Access, PVOID *Body, BOOLEAN *Created)
{
    PUNICODE_STRING name = Attributes ? Attributes->ObjectName : NULL;
    PVOID o = NULL;
    NTSTATUS st;
    *Created = FALSE;
    if (name && name->Length) {
        UNICODE_STRING resolved;
        USHORT matched;
        st = IopResolveName(name, &resolved);
        if (!NT_SUCCESS(st))
            return st;
        o = ObpLookupName(&resolved, &matched);
        if (o && matched != resolved.Length) {
            ObDereferenceObject(o);
            o = NULL;
        }
        if (!o) {
            st = ObCreateObject(Type, Size, &resolved, &o);
            if (NT_SUCCESS(st)) {
                *Created = TRUE;
                st = ObInsertObjectName(o);
            }
        } else {
            st = ObIsObjectOfType(o, Type) ? STATUS_SUCCESS : STATUS_OBJECT_TYPE_MISMATCH;
        }
        IopFreeResolvedName(&resolved);
    } else {
        st = ObCreateObject(Type, Size, NULL, &o);
        *Created = NT_SUCCESS(st);
    }
    if (NT_SUCCESS(st))
        st = ObCreateHandle(o, Access, Handle);
    if (NT_SUCCESS(st))
        *Body = o;
    else
        *Created = FALSE;
    if (o) /* the handle keeps it; a named one's name goes with its last reference */
        ObDereferenceObject(o);
    return st;
}

/* PASSIVE_LEVEL. */
NTSTATUS ZwCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                       EVENT_TYPE EventType, BOOLEAN InitialState)
{
    VF_DDI_CHECK(ZwCreateEvent);
    PKEVENT e;
    BOOLEAN created;
    NTSTATUS st = ExpCreate(&ExpEventType, sizeof(KEVENT), ObjectAttributes, EventHandle, DesiredAccess, (PVOID *)&e,
                            &created);
    if (created)
        KeInitializeEvent(e, EventType, InitialState);
    return st;
}

static NTSTATUS ExpEventByHandle(HANDLE Handle, PKEVENT *Event)
{
    return ObReferenceObjectByHandle(Handle, 0, *ExEventObjectType, KernelMode, (PVOID *)Event, NULL);
}

/* PASSIVE_LEVEL. */
NTSTATUS ZwSetEvent(HANDLE EventHandle, PLONG PreviousState)
{
    VF_DDI_CHECK(ZwSetEvent);
    PKEVENT e;
    NTSTATUS st = ExpEventByHandle(EventHandle, &e);
    if (!NT_SUCCESS(st))
        return st;
    LONG prev = KeSetEvent(e, IO_NO_INCREMENT, FALSE);
    if (PreviousState)
        *PreviousState = prev;
    ObDereferenceObject(e);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. */
NTSTATUS ZwClearEvent(HANDLE EventHandle)
{
    VF_DDI_CHECK(ZwClearEvent);
    PKEVENT e;
    NTSTATUS st = ExpEventByHandle(EventHandle, &e);
    if (!NT_SUCCESS(st))
        return st;
    KeClearEvent(e);
    ObDereferenceObject(e);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL (rule IrqlIoPassive4). A named event, created or opened; the pointer is the
 * handle's object, valid while the handle is open. */
static PKEVENT IopCreateNamedEvent(PUNICODE_STRING EventName, PHANDLE EventHandle, EVENT_TYPE Type)
{
    OBJECT_ATTRIBUTES oa;
    PKEVENT e;
    BOOLEAN created;
    InitializeObjectAttributes(&oa, EventName, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (!NT_SUCCESS(ExpCreate(&ExpEventType, sizeof(KEVENT), &oa, EventHandle, 0x1F0003 /* EVENT_ALL_ACCESS */,
                              (PVOID *)&e, &created)))
        return NULL;
    if (created) /* a new notification event is signalled, a synchronization event not */
        KeInitializeEvent(e, Type, Type == NotificationEvent);
    return e;
}

PKEVENT IoCreateNotificationEvent(PUNICODE_STRING EventName, PHANDLE EventHandle)
{
    VF_DDI_CHECK(IoCreateNotificationEvent);
    return IopCreateNamedEvent(EventName, EventHandle, NotificationEvent);
}

PKEVENT IoCreateSynchronizationEvent(PUNICODE_STRING EventName, PHANDLE EventHandle)
{
    VF_DDI_CHECK(IoCreateSynchronizationEvent);
    return IopCreateNamedEvent(EventName, EventHandle, SynchronizationEvent);
}

/* PASSIVE_LEVEL. */
NTSTATUS ZwCreateTimer(PHANDLE TimerHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                       TIMER_TYPE TimerType)
{
    VF_DDI_CHECK(ZwCreateTimer);
    PKTIMER t;
    BOOLEAN created;
    NTSTATUS st = ExpCreate(&ExpTimerType, sizeof(KTIMER), ObjectAttributes, TimerHandle, DesiredAccess, (PVOID *)&t,
                            &created);
    if (created)
        KeInitializeTimerEx(t, TimerType);
    return st;
}

/* PASSIVE_LEVEL. No timer APCs here: TimerApcRoutine must be NULL (STATUS_NOT_SUPPORTED). */
NTSTATUS ZwSetTimer(HANDLE TimerHandle, PLARGE_INTEGER DueTime, PTIMER_APC_ROUTINE TimerApcRoutine,
                    PVOID TimerContext, BOOLEAN ResumeTimer, LONG Period, PBOOLEAN PreviousState)
{
    VF_DDI_CHECK(ZwSetTimer);
    PKTIMER t;
    UNREFERENCED_PARAMETER(TimerContext);
    UNREFERENCED_PARAMETER(ResumeTimer);
    if (TimerApcRoutine)
        return STATUS_NOT_SUPPORTED;
    if (!DueTime || Period < 0)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS st = ObReferenceObjectByHandle(TimerHandle, 0, *ExTimerObjectType, KernelMode, (PVOID *)&t, NULL);
    if (!NT_SUCCESS(st))
        return st;
    BOOLEAN state = KeReadStateTimer(t);
    KeSetTimerEx(t, *DueTime, Period, NULL);
    if (PreviousState)
        *PreviousState = state;
    ObDereferenceObject(t);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. */
NTSTATUS ZwCancelTimer(HANDLE TimerHandle, PBOOLEAN CurrentState)
{
    VF_DDI_CHECK(ZwCancelTimer);
    PKTIMER t;
    NTSTATUS st = ObReferenceObjectByHandle(TimerHandle, 0, *ExTimerObjectType, KernelMode, (PVOID *)&t, NULL);
    if (!NT_SUCCESS(st))
        return st;
    KeCancelTimer(t);
    if (CurrentState)
        *CurrentState = KeReadStateTimer(t);
    ObDereferenceObject(t);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. Waits on the event or timer a handle names. */
NTSTATUS ZwWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    PVOID o;
    NTSTATUS st = ObReferenceObjectByHandle(Handle, 0, NULL, KernelMode, &o, NULL);
    if (!NT_SUCCESS(st))
        return st;
    if (!ObIsObjectOfType(o, &ExpEventType) && !ObIsObjectOfType(o, &ExpTimerType)) {
        ObDereferenceObject(o);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    st = KeWaitForSingleObject(o, Executive, KernelMode, Alertable, Timeout);
    ObDereferenceObject(o);
    return st;
}
