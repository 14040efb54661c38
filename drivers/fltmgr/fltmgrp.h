/* drivers/fltmgr/fltmgrp.h - the Filter Manager's private objects: filters, volumes (one frame
 * device per mounted volume), instances in altitude order, and the control block of one operation. */
#pragma once
#include <fltKernel.h>
#include <irqlab/fltinf.h>

#define FLTP_TAG 'rMlF'
#define FLTP_CTRL_TAG 'cMlF'
#define FLTP_CONTEXT_TAG 'xMlF'
#define FLTP_NAME_TAG 'nMlF'
#define FLTP_MAX_INSTANCES 16
#define FLTP_CONTEXT_NODE_SIZE 64 /* the Filter Manager's header before a minifilter's context */ /* instances one operation can pass on a volume */

enum { FLTP_FILTER_SIG = 'FtlF', FLTP_VOLUME_SIG = 'VtlF', FLTP_INSTANCE_SIG = 'ItlF' };

typedef struct _FLT_FILTER {
    ULONG Signature;
    PDRIVER_OBJECT Driver;
    FLT_REGISTRATION Registration;
    PFLT_PRE_OPERATION_CALLBACK Pre[IRP_MJ_MAXIMUM_FUNCTION + 1];
    PFLT_POST_OPERATION_CALLBACK Post[IRP_MJ_MAXIMUM_FUNCTION + 1];
    ULONG OpFlags[IRP_MJ_MAXIMUM_FUNCTION + 1];
    const IRQLAB_MINIFILTER_INF *Inf;   /* its "registry": instance name and altitude */
    ULONG Altitude;
    LIST_ENTRY Link;                    /* FltpGlobals.Filters, highest altitude first */
    LIST_ENTRY Instances;               /* its instances, on every volume */
    BOOLEAN Started, Unloading;
    volatile LONG Pended;               /* pre/post operations pended and not yet resumed */
    volatile LONG Contexts;             /* contexts allocated and not yet freed */
    volatile LONG Names;                /* name information structures not yet released */
    volatile LONG References;           /* FltObjectReference and open instances */
} FLT_FILTER;

typedef struct _FLT_VOLUME {
    ULONG Signature;
    PDEVICE_OBJECT Frame;               /* our device, attached above the file system's volume */
    PDEVICE_OBJECT FsVolume;            /* the file system's volume device */
    PDEVICE_OBJECT RealDevice;          /* the storage device, which names the volume */
    UNICODE_STRING Name;
    WCHAR NameBuffer[64];
    LIST_ENTRY Link;                    /* FltpGlobals.Volumes */
    LIST_ENTRY Instances;               /* highest altitude first */
    BOOLEAN Dismounting;
} FLT_VOLUME;

typedef struct _FLT_INSTANCE {
    ULONG Signature;
    PFLT_FILTER Filter;
    PFLT_VOLUME Volume;
    ULONG Altitude;
    UNICODE_STRING Name;
    WCHAR NameBuffer[32];
    LIST_ENTRY VolumeLink, FilterLink;
    LIST_ENTRY InFlight;                /* FLTP_IRP_CTRLs that still owe this instance a post call */
    LIST_ENTRY StreamContexts;          /* FLTP_CONTEXT nodes, keyed by the file's FsContext */
    struct _FLTP_CONTEXT *InstanceContext;
    volatile LONG Operations;           /* operations holding the instance (snapshots) */
    KEVENT Idle;                        /* set when Operations drops to zero while tearing down */
    BOOLEAN TearingDown;
} FLT_INSTANCE;

/* One entry of an operation's completion stack: an instance whose post callback is owed. */
typedef struct _FLTP_COMPLETION_NODE {
    LIST_ENTRY Link;                    /* on the instance's InFlight list until called */
    struct _FLTP_IRP_CTRL *Ctrl;
    PFLT_INSTANCE Instance;
    PVOID Context;
    BOOLEAN Called;                     /* its post callback ran (normally or draining) */
} FLTP_COMPLETION_NODE;

typedef struct _FLTP_IRP_CTRL {
    FLT_CALLBACK_DATA Data;             /* first: a PFLT_CALLBACK_DATA is a PFLTP_IRP_CTRL */
    FLT_IO_PARAMETER_BLOCK Iopb;
    PIRP Irp;
    PFLT_VOLUME Volume;
    ULONG InstanceCount, Next;          /* the instance snapshot and the pre walk's position */
    PFLT_INSTANCE Instances[FLTP_MAX_INSTANCES];
    FLTP_COMPLETION_NODE Stack[FLTP_MAX_INSTANCES];
    ULONG Depth;                        /* entries pushed on Stack */
    ULONG PostNext;                     /* the post walk's position (counts down) */
    BOOLEAN Synchronize;                /* post callbacks at PASSIVE_LEVEL in the dispatch thread */
    BOOLEAN SentDown;                   /* the IRP went down with our completion routine */
    BOOLEAN DispatchReturned;           /* our dispatch routine has returned STATUS_PENDING */
    BOOLEAN InCompletionRoutine;        /* the post walk runs inside our I/O completion routine */
    PFLT_INSTANCE PendedBy;             /* who returned FLT_PREOP_PENDING / POSTOP_MORE_PROCESSING */
    volatile LONG Refs;                 /* the operation's, plus one per drain call in progress */
    volatile LONG Gate;                 /* the pender's and the resumer's handshake (fltdispatch.c) */
    FLT_PREOP_CALLBACK_STATUS ResumeStatus;
    PVOID ResumeContext;
    KEVENT Done;                        /* synchronised operations: the lower driver finished */
    WORK_QUEUE_ITEM Work;
    PFLT_POST_OPERATION_CALLBACK SafePost; /* FltDoCompletionProcessingWhenSafe's routine */
    PVOID SafeContext;
} FLTP_IRP_CTRL, *PFLTP_IRP_CTRL;

#define FltpCtrl(Data) ((PFLTP_IRP_CTRL)(Data))

typedef struct _FLTP_FRAME_EXTENSION {
    PDEVICE_OBJECT AttachedTo;          /* the next lower device */
    PFLT_VOLUME Volume;                 /* NULL on a file system's control device */
} FLTP_FRAME_EXTENSION, *PFLTP_FRAME_EXTENSION;

typedef struct _FLTP_GLOBALS {
    PDRIVER_OBJECT Driver;
    KSPIN_LOCK Lock;                    /* filters, volumes, instance lists, completion stacks */
    LIST_ENTRY Filters, Volumes;
    ULONG64 Operations, PreCalls, PostCalls, Drained, SafePosted;
} FLTP_GLOBALS;
extern FLTP_GLOBALS FltpGlobals;

/* fltmgr.c */
FAST_IO_DETACH_DEVICE FltpFastIoDetachDevice;
extern FAST_IO_DISPATCH FltpFastIoDispatch; /* fltfastio.c */
NTSTATUS FltpAttachFrame(PDEVICE_OBJECT Target, PFLT_VOLUME Volume, PDEVICE_OBJECT *Frame);
/* fltinstance.c */
VOID FltpAutoAttach(PFLT_FILTER Filter, PFLT_VOLUME Volume, FLT_INSTANCE_SETUP_FLAGS Flags);
VOID FltpTeardownInstance(PFLT_INSTANCE Instance, FLT_INSTANCE_TEARDOWN_FLAGS Reason);
VOID FltpReleaseInstance(PFLT_INSTANCE Instance);
VOID FltpRelatedObjects(PFLT_RELATED_OBJECTS Objects, PFLT_INSTANCE Instance, PFILE_OBJECT FileObject);
/* fltdispatch.c */
DRIVER_DISPATCH FltpDispatch;
/* No instance on the volume: read without the lock. An instance being attached meanwhile sees
 * the operations that start after it is listed, as on Windows. */
FORCEINLINE BOOLEAN FltpVolumeHasNoInstances(PFLT_VOLUME Volume)
{
    return __atomic_load_n(&Volume->Instances.Flink, __ATOMIC_RELAXED) == &Volume->Instances;
}
ULONG FltpSnapshot(PFLT_VOLUME Volume, UCHAR Major, PFLT_INSTANCE *Out);
VOID FltpDrop(PFLT_INSTANCE Instance);
VOID FltpResumePre(PFLTP_IRP_CTRL Ctrl, FLT_PREOP_CALLBACK_STATUS Status, PVOID Context);
VOID FltpResumePost(PFLTP_IRP_CTRL Ctrl);
VOID FltpReleaseCtrl(PFLTP_IRP_CTRL Ctrl);
/* fltcontext.c */
VOID FltpFreeInstanceContexts(PFLT_INSTANCE Instance);
/* fltmc.c */
VOID FltMgrDumpFilters(void);
/* fltverify.c */
BOOLEAN FltpVerifying(void);
DECLSPEC_NORETURN VOID FltpVerifierError(PFLT_FILTER Filter, PCSTR Message, ULONG_PTR Value);
VOID FltpCheckUnload(PFLT_FILTER Filter);
