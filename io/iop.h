/* io/iop.h - private to the I/O and object managers: object headers and types, handles,
 * IRP verifier state, the IRP trace, and the bridges to the dispatcher. Not for drivers. */
#pragma once
#include <ntddk.h>
#include "../kernel/ke/ki.h"
#include <irqlab/vf.h>

/* ---- Objects: a header before every body; the body is what callers see ---- */
typedef struct _OBJECT_TYPE {
    PCSTR Name;
    ULONG Tag;
    VOID (*DeleteProcedure)(PVOID Object); /* last reference gone; IRQL <= DISPATCH_LEVEL */
    VOID (*CloseProcedure)(PVOID Object, LONG HandlesLeft); /* a handle closed; PASSIVE_LEVEL */
} OBJECT_TYPE;

#define OB_HEADER_MAGIC 0x4A424F49u /* "IOBJ" */
typedef struct _OBJECT_HEADER {
    ULONG Magic;
    volatile LONG PointerCount;
    volatile LONG HandleCount;
    BOOLEAN InNamespace;
    POBJECT_TYPE Type;
    UNICODE_STRING Name;  /* full path, e.g. \Device\Ram0; empty when unnamed */
    LIST_ENTRY NamespaceEntry;
    ULONG64 Body[];
} OBJECT_HEADER, *POBJECT_HEADER;
#define OBJECT_TO_OBJECT_HEADER(o) CONTAINING_RECORD((o), OBJECT_HEADER, Body)
VOID ObpLastReferenceGone(PVOID Object, LONG Count); /* io/ob.c */
/* ObDereferenceObject inline, for the I/O manager's hot paths: the same checks and stops. */
FORCEINLINE VOID ObpDereferenceObject(PVOID Object)
{
    POBJECT_HEADER h = OBJECT_TO_OBJECT_HEADER(Object);
    LONG n;
    if (h->Magic != OB_HEADER_MAGIC)
        ObfDereferenceObject(Object); /* the 0x18 stop */
    else if ((n = __atomic_sub_fetch(&h->PointerCount, 1, __ATOMIC_SEQ_CST)) <= 0)
        ObpLastReferenceGone(Object, n);
}

NTSTATUS ObCreateObject(POBJECT_TYPE Type, ULONG BodySize, PCUNICODE_STRING Name, PVOID *Object);
NTSTATUS ObInsertObjectName(PVOID Object);     /* enter its name in the namespace */
VOID ObMakeTemporaryObject(PVOID Object);      /* drop the name from the namespace */
PVOID ObpLookupName(PCUNICODE_STRING Name, USHORT *MatchedLength); /* longest prefix; referenced */
BOOLEAN ObIsObjectOfType(PVOID Object, POBJECT_TYPE Type);
NTSTATUS ObCreateHandle(PVOID Object, ACCESS_MASK Access, PHANDLE Handle); /* takes a reference */
ULONG ObpHandleCount(void);
extern OBJECT_TYPE IopDeviceType, IopDriverType, IopFileType, IopSymbolicLinkType;
/* Symbolic links (io/symlink.c): the name with \DosDevices spelled \?? and every link
 * followed; free the result with IopFreeResolvedName. IRQL <= DISPATCH_LEVEL. */
NTSTATUS IopResolveName(PCUNICODE_STRING Name, PUNICODE_STRING Resolved);
VOID IopFreeResolvedName(PUNICODE_STRING Name);

/* ---- IRP private state (Irp->IopState) ---- */
#define IOP_IRP_OWNED_BY_IO 0x0001      /* built by the I/O manager: it frees the IRP */
#define IOP_IRP_DISPATCHED 0x0002       /* sent with IoCallDriver, not yet completed */
#define IOP_IRP_FREE_DEFERRED 0x0004    /* IoFreeIrp while a verifier frame still watches it */
#define IOP_IRP_POOL 0x0008             /* allocated by IoAllocateIrp */
#define IOP_IRP_ZW_WAIT 0x0010          /* a Zw caller waits on UserEvent */
#define IOP_IRP_TOP_LEVEL 0x0020        /* the I/O manager's own request (IopSendAndWait) */
#define IOP_IRP_COMPLETED 0x0040        /* reached final completion: another is 0x44 */

/* IRP accounting behind IoQueryIrpStatistics (io/irp.c); updated atomically. */
typedef struct _IOP_IRP_COUNTERS {
    volatile ULONG64 Allocated, Freed, FinalCompletions;
    volatile ULONG64 TopLevelSent[IRP_MJ_MAXIMUM_FUNCTION + 1];
    volatile ULONG64 TopLevelCompleted[IRP_MJ_MAXIMUM_FUNCTION + 1];
} IOP_IRP_COUNTERS;
extern IOP_IRP_COUNTERS IopIrpCounters;
#define IopCount(field) __atomic_add_fetch(&IopIrpCounters.field, 1, __ATOMIC_SEQ_CST)
/* The major function the I/O manager put in an IRP's first (topmost) location; completion
 * zeroes a location's parameters but leaves its major function. */
#define IopTopMajor(Irp) (((PIO_STACK_LOCATION)((Irp) + 1))[(Irp)->StackCount - 1].MajorFunction)

/* Verifier frame: one per active IoCallDriver, so a dispatch routine's pending discipline
 * can be judged after it returns even though completion zeroed its stack location. */
typedef struct _IOP_CALL_FRAME {
    LIST_ENTRY Link;
    PIRP Irp;
    PIO_STACK_LOCATION Location;
    BOOLEAN Passed;      /* the completion walk went through Location */
    BOOLEAN Marked;      /* ...and found it marked pending */
    BOOLEAN LowerPended; /* a nested IoCallDriver on this IRP returned STATUS_PENDING */
    BOOLEAN FreeDeferred;
} IOP_CALL_FRAME, *PIOP_CALL_FRAME;
VOID IopFrameLocationPassed(PIRP Irp, PIO_STACK_LOCATION Location);
/* A completion routine running under I/O verification (io/vfroutine.c). */
typedef struct _IOP_ROUTINE_FRAME {
    LIST_ENTRY Link;
    PIRP Irp;
    PIO_COMPLETION_ROUTINE Routine;
    PDEVICE_OBJECT Device;
    PVOID Context;
    PKTHREAD Thread;
    BOOLEAN Marked;         /* it called IoMarkIrpPending */
    PRKEVENT SignaledEvent; /* the first event it signalled */
} IOP_ROUTINE_FRAME, *PIOP_ROUTINE_FRAME;
VOID IopEnterRoutine(PIOP_ROUTINE_FRAME Frame);
VOID IopLeaveRoutine(PIOP_ROUTINE_FRAME Frame, NTSTATUS Returned);
VOID IopCheckPostedIrp(PVOID Context);
extern volatile LONG IopCompletionRoutineExFailures; /* tests force IoSetCompletionRoutineEx to fail */
/* Verifier's call frames (io/iocall.c). With none (Verifier off), none can watch an IRP being
 * freed: a frame for it is pushed only by an IoCallDriver of that IRP, which cannot race with
 * its own free. So the free looks at the list, and takes its lock, only when there are frames. */
extern LIST_ENTRY IopFrames;
BOOLEAN IopFrameDeferFreeSlow(PIRP Irp);
FORCEINLINE BOOLEAN IopFrameDeferFree(PIRP Irp)
{
    return !IsListEmpty(&IopFrames) && IopFrameDeferFreeSlow(Irp);
}
VOID IopFrameLowerPended(PIRP Irp);
VOID IopFreeIrpNow(PIRP Irp);

/* ---- Verifier helpers ---- */
FORCEINLINE BOOLEAN IopVerifying(void) { return KiVerifierOn(VERIFIER_IO_CHECKING); }
DECLSPEC_NORETURN VOID IopVerifierStop(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4,
                                       PDEVICE_OBJECT Culprit, PVOID Routine);
BOOLEAN IopIsOplockRequest(PIO_STACK_LOCATION Sp);
PCSTR IopDriverNameA(PDRIVER_OBJECT Driver);

/* ---- Trace ---- */
/* Calls are spans: the caller takes IopTraceBegin(Irp) before the routine runs (the sequence
 * number then, and the master of an associated IRP, read while the IRP surely exists) and
 * passes it to IopTrace when the routine has returned. */
typedef struct _IOP_TRACE_BEGIN { ULONG Sequence; PIRP Master; } IOP_TRACE_BEGIN;
IOP_TRACE_BEGIN IopTraceBeginSlow(PIRP Irp);
VOID IopTraceSlow(UCHAR Kind, PIRP Irp, PDEVICE_OBJECT Device, PDRIVER_OBJECT Driver, UCHAR Major, CHAR Location,
                  BOOLEAN Pending, PVOID Routine, NTSTATUS Status, IOP_TRACE_BEGIN Begin);
/* Inline so that with the trace off (IoSetIrpTracing) a call site costs one test, and the
 * record's arguments are not even computed. */
FORCEINLINE IOP_TRACE_BEGIN IopTraceBegin(PIRP Irp)
{
    if (__builtin_expect(!IopIrpTracing, 0))
        return (IOP_TRACE_BEGIN){ 0, NULL };
    return IopTraceBeginSlow(Irp);
}
FORCEINLINE VOID IopTrace(UCHAR Kind, PIRP Irp, PDEVICE_OBJECT Device, PDRIVER_OBJECT Driver, UCHAR Major,
                          CHAR Location, BOOLEAN Pending, PVOID Routine, NTSTATUS Status, IOP_TRACE_BEGIN Begin)
{
    if (__builtin_expect(IopIrpTracing, 1))
        IopTraceSlow(Kind, Irp, Device, Driver, Major, Location, Pending, Routine, Status, Begin);
}
VOID IopDeleteDeviceTimer(PDEVICE_OBJECT DeviceObject); /* io/iotimer.c, from IoDeleteDevice */
VOID IopInitializeTrace(void); /* connects the kernel's ISR and DPC spans */
VOID IopReleaseIoOwnedIrp(PIRP Irp);
VOID IopFreeMdlChain(PIRP Irp);
BOOLEAN IopSetupTransfer(PIRP Irp, PDEVICE_OBJECT Device, ULONG Major, PVOID Buffer, ULONG Length);
/* Fast I/O first (fastio.h, fastio.c), PASSIVE_LEVEL: TRUE when it did the work. */
BOOLEAN IopFastIoQuery(PFILE_OBJECT File, ULONG Class, PVOID Buffer, ULONG Length, PIO_STATUS_BLOCK Iosb);
VOID IopFinishRequest(PIRP Irp);
VOID IoInitSystem(void);

/* ---- Completion, files ---- */
VOID IopCompleteFinal(PIRP Irp, CCHAR Boost);
VOID IopDeviceClosed(PDEVICE_OBJECT Device);
PDEVICE_OBJECT IopTopOfStack(PDEVICE_OBJECT Device);
NTSTATUS IopCheckUnloadedDriver(PDRIVER_OBJECT Driver);

/* ---- Dispatcher bridges (io/iowait.c): real events and APCs when the dispatcher is linked ---- */
BOOLEAN IopQueueCompletionApc(PIRP Irp, CCHAR Boost);
VOID IopSignalEvent(PKEVENT Event);
