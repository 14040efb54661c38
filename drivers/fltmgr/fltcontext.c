/* drivers/fltmgr/fltcontext.c - minifilter contexts: reference-counted blocks a filter hangs on
 * an instance or a stream, freed (after its cleanup callback) when the last reference goes. */
#include "fltmgrp.h"

#define FLTP_CONTEXT_SIG 'CtlF'
#define FLTP_CONTEXT_DEAD 'dtlF'

typedef struct _FLTP_CONTEXT {
    ULONG Signature;
    FLT_CONTEXT_TYPE Type;
    PFLT_FILTER Filter;
    const FLT_CONTEXT_REGISTRATION *Registration;
    volatile LONG References;
    LIST_ENTRY Link;            /* on its instance's StreamContexts while attached */
    PVOID Key;                  /* the stream: FileObject->FsContext */
    PFLT_INSTANCE Instance;     /* where it is attached, or NULL */
} FLTP_CONTEXT;
_Static_assert(sizeof(FLTP_CONTEXT) == FLTP_CONTEXT_NODE_SIZE, "the header the 0xF5/0x6D stop names");
#define FltpNode(Context) ((FLTP_CONTEXT *)(Context) - 1)

/* IRQL <= APC_LEVEL for paged pool, <= DISPATCH_LEVEL for nonpaged. The size must match the
 * registration unless it says otherwise (FLT_VARIABLE_SIZED_CONTEXTS, NO_EXACT_SIZE_MATCH). */
NTSTATUS FLTAPI FltAllocateContext(PFLT_FILTER Filter, FLT_CONTEXT_TYPE ContextType, SIZE_T ContextSize,
                                   POOL_TYPE PoolType, PFLT_CONTEXT *ReturnedContext)
{
    const FLT_CONTEXT_REGISTRATION *reg = Filter->Registration.ContextRegistration;
    *ReturnedContext = NULL;
    for (; reg && reg->ContextType != FLT_CONTEXT_END; reg++)
        if (reg->ContextType == ContextType &&
            (reg->Size == FLT_VARIABLE_SIZED_CONTEXTS || reg->Size == ContextSize ||
             ((reg->Flags & FLTFL_CONTEXT_REGISTRATION_NO_EXACT_SIZE_MATCH) && reg->Size >= ContextSize)))
            break;
    if (!reg || reg->ContextType == FLT_CONTEXT_END)
        return STATUS_FLT_CONTEXT_ALLOCATION_NOT_FOUND;
    FLTP_CONTEXT *n = ExAllocatePoolWithTag(PoolType, sizeof(*n) + ContextSize, reg->PoolTag ? reg->PoolTag : FLTP_CONTEXT_TAG);
    if (!n)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlZeroMemory(n, sizeof(*n) + ContextSize);
    n->Signature = FLTP_CONTEXT_SIG;
    n->Type = ContextType;
    n->Filter = Filter;
    n->Registration = reg;
    n->References = 1;
    InitializeListHead(&n->Link);
    __atomic_add_fetch(&Filter->Contexts, 1, __ATOMIC_SEQ_CST);
    *ReturnedContext = n + 1;
    return STATUS_SUCCESS;
}

/* IRQL <= DISPATCH_LEVEL. A context already freed is a stop, FLTMGR_FILE_SYSTEM 0x6E. */
VOID FLTAPI FltReferenceContext(PFLT_CONTEXT Context)
{
    FLTP_CONTEXT *n = FltpNode(Context);
    if (n->Signature != FLTP_CONTEXT_SIG)
        KeBugCheckEx(FLTMGR_FILE_SYSTEM, FLTMGR_CONTEXT_USED_AFTER_FREE, (ULONG_PTR)Context, (ULONG_PTR)n, 0);
    __atomic_add_fetch(&n->References, 1, __ATOMIC_SEQ_CST);
}

/* IRQL <= DISPATCH_LEVEL (the cleanup callback of a paged context runs at <= APC_LEVEL, so a
 * filter releases those there). Releasing more often than referenced: 0xF5/0x6D. */
VOID FLTAPI FltReleaseContext(PFLT_CONTEXT Context)
{
    FLTP_CONTEXT *n = FltpNode(Context);
    if (n->Signature != FLTP_CONTEXT_SIG)
        KeBugCheckEx(FLTMGR_FILE_SYSTEM, FLTMGR_CONTEXT_USED_AFTER_FREE, (ULONG_PTR)Context, (ULONG_PTR)n, 0);
    LONG left = __atomic_sub_fetch(&n->References, 1, __ATOMIC_SEQ_CST);
    if (left < 0 || (left == 0 && n->Instance))
        KeBugCheckEx(FLTMGR_FILE_SYSTEM, FLTMGR_CONTEXT_OVER_RELEASED, (ULONG_PTR)Context, (ULONG_PTR)n, 0);
    if (left)
        return;
    if (n->Registration->ContextCleanupCallback)
        n->Registration->ContextCleanupCallback(Context, n->Type);
    __atomic_sub_fetch(&n->Filter->Contexts, 1, __ATOMIC_SEQ_CST);
    n->Signature = FLTP_CONTEXT_DEAD;
    ExFreePool(n);
}

static FLTP_CONTEXT *FltpFindStream(PFLT_INSTANCE Instance, PVOID Key)
{
    for (PLIST_ENTRY l = Instance->StreamContexts.Flink; l != &Instance->StreamContexts; l = l->Flink) {
        FLTP_CONTEXT *n = CONTAINING_RECORD(l, FLTP_CONTEXT, Link);
        if (n->Key == Key)
            return n;
    }
    return NULL;
}

/* Attached contexts hold one reference of their own, dropped when they are detached. */
static VOID FltpDetach(FLTP_CONTEXT *Node)
{
    KIRQL irql;
    KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
    RemoveEntryList(&Node->Link);
    InitializeListHead(&Node->Link);
    Node->Instance = NULL;
    KeReleaseSpinLock(&FltpGlobals.Lock, irql);
    FltReleaseContext(Node + 1);
}

/* IRQL <= APC_LEVEL. The stream is the file's FsContext (its FCB), so every handle on one file
 * shares the context, as on Windows. */
NTSTATUS FLTAPI FltSetStreamContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, FLT_SET_CONTEXT_OPERATION Operation,
                                    PFLT_CONTEXT NewContext, PFLT_CONTEXT *OldContext)
{
    FLTP_CONTEXT *n = FltpNode(NewContext), *old;
    KIRQL irql;
    if (OldContext)
        *OldContext = NULL;
    if (!FileObject || !FileObject->FsContext || n->Type != FLT_STREAM_CONTEXT)
        return STATUS_INVALID_PARAMETER;
    KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
    old = FltpFindStream(Instance, FileObject->FsContext);
    if (old && Operation == FLT_SET_CONTEXT_KEEP_IF_EXISTS) {
        __atomic_add_fetch(&old->References, 1, __ATOMIC_SEQ_CST);
        KeReleaseSpinLock(&FltpGlobals.Lock, irql);
        if (OldContext)
            *OldContext = old + 1;
        else
            FltReleaseContext(old + 1);
        return STATUS_FLT_CONTEXT_ALREADY_DEFINED;
    }
    n->Key = FileObject->FsContext;
    n->Instance = Instance;
    __atomic_add_fetch(&n->References, 1, __ATOMIC_SEQ_CST);
    InsertTailList(&Instance->StreamContexts, &n->Link);
    if (old)
        __atomic_add_fetch(&old->References, 1, __ATOMIC_SEQ_CST);
    KeReleaseSpinLock(&FltpGlobals.Lock, irql);
    if (old) {
        FltpDetach(old);
        if (OldContext)
            *OldContext = old + 1;
        else
            FltReleaseContext(old + 1);
    }
    return STATUS_SUCCESS;
}

/* IRQL <= APC_LEVEL. The caller gets a reference it must release. */
NTSTATUS FLTAPI FltGetStreamContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PFLT_CONTEXT *Context)
{
    KIRQL irql;
    *Context = NULL;
    if (!FileObject || !FileObject->FsContext)
        return STATUS_NOT_FOUND;
    KeAcquireSpinLock(&FltpGlobals.Lock, &irql);
    FLTP_CONTEXT *n = FltpFindStream(Instance, FileObject->FsContext);
    if (n)
        __atomic_add_fetch(&n->References, 1, __ATOMIC_SEQ_CST);
    KeReleaseSpinLock(&FltpGlobals.Lock, irql);
    if (!n)
        return STATUS_NOT_FOUND;
    *Context = n + 1;
    return STATUS_SUCCESS;
}

/* IRQL <= APC_LEVEL. */
NTSTATUS FLTAPI FltDeleteStreamContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PFLT_CONTEXT *OldContext)
{
    PFLT_CONTEXT c;
    NTSTATUS st = FltGetStreamContext(Instance, FileObject, &c);
    if (OldContext)
        *OldContext = NULL;
    if (!NT_SUCCESS(st))
        return st;
    FltDeleteContext(c);
    if (OldContext)
        *OldContext = c;
    else
        FltReleaseContext(c);
    return STATUS_SUCCESS;
}

/* IRQL <= APC_LEVEL. Detaches the context from what it is attached to. */
VOID FLTAPI FltDeleteContext(PFLT_CONTEXT Context)
{
    FLTP_CONTEXT *n = FltpNode(Context);
    if (n->Instance && n->Instance->InstanceContext == n) {
        n->Instance->InstanceContext = NULL;
        n->Instance = NULL;
        FltReleaseContext(Context);
    } else if (n->Instance) {
        FltpDetach(n);
    }
}

/* IRQL <= APC_LEVEL. */
NTSTATUS FLTAPI FltSetInstanceContext(PFLT_INSTANCE Instance, FLT_SET_CONTEXT_OPERATION Operation,
                                      PFLT_CONTEXT NewContext, PFLT_CONTEXT *OldContext)
{
    FLTP_CONTEXT *n = FltpNode(NewContext), *old = Instance->InstanceContext;
    if (OldContext)
        *OldContext = NULL;
    if (n->Type != FLT_INSTANCE_CONTEXT)
        return STATUS_INVALID_PARAMETER;
    if (old && Operation == FLT_SET_CONTEXT_KEEP_IF_EXISTS) {
        FltReferenceContext(old + 1);
        if (OldContext)
            *OldContext = old + 1;
        else
            FltReleaseContext(old + 1);
        return STATUS_FLT_CONTEXT_ALREADY_DEFINED;
    }
    FltReferenceContext(NewContext);
    n->Instance = Instance;
    Instance->InstanceContext = n;
    if (old) {
        old->Instance = NULL;
        if (OldContext)
            *OldContext = old + 1; /* the attachment's reference becomes the caller's */
        else
            FltReleaseContext(old + 1);
    }
    return STATUS_SUCCESS;
}

/* IRQL <= DISPATCH_LEVEL. */
NTSTATUS FLTAPI FltGetInstanceContext(PFLT_INSTANCE Instance, PFLT_CONTEXT *Context)
{
    FLTP_CONTEXT *n = Instance->InstanceContext;
    *Context = NULL;
    if (!n)
        return STATUS_NOT_FOUND;
    FltReferenceContext(n + 1);
    *Context = n + 1;
    return STATUS_SUCCESS;
}

/* IRQL == PASSIVE_LEVEL, at instance teardown: every context attached to the instance or its
 * streams loses its attachment reference; references the filter still holds are its leak. */
VOID FltpFreeInstanceContexts(PFLT_INSTANCE Instance)
{
    while (!IsListEmpty(&Instance->StreamContexts))
        FltpDetach(CONTAINING_RECORD(Instance->StreamContexts.Flink, FLTP_CONTEXT, Link));
    if (Instance->InstanceContext)
        FltDeleteContext(Instance->InstanceContext + 1);
}
