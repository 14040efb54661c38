/* kernel/vf/vfdeadlock.c - Driver Verifier's deadlock detection (verifier=deadlock): every
 * spin lock, queued spin lock, fast mutex, KMUTEX and ERESOURCE acquire and release is seen
 * here; taking two locks in both orders, even at different times, stops with 0xC4/0x1001. */
#include "vfdl.h"
#include "../mm/mi.h"

/* P1 values of bug check 0xC4 for the Deadlock Detection option, as Microsoft's page for
 * 0xC4 gives them ("Reserved" parameters are 0 here). */
#define VFDL_SELF_DEADLOCK 0x1000      /* P2 the resource */
#define VFDL_DEADLOCK 0x1001           /* P2 the resource that was the final cause */
#define VFDL_UNINITIALIZED 0x1002      /* P2 the resource */
#define VFDL_UNEXPECTED_RELEASE 0x1003 /* P2 the one released, P3 the one to release first */
#define VFDL_UNEXPECTED_THREAD 0x1004  /* P2 the resource, P3 its owner, P4 the current thread */
#define VFDL_UNACQUIRED 0x1007         /* P2 the resource */

static BOOLEAN VfDlDegraded; /* a table overflowed: stop reporting what may be untracked */
static const PCSTR VfDlTypeNames[] = { "?", "Spinlock", "QueuedSpinlock", "FastMutex", "Mutex", "Resource" };

/* The context that holds locks: a DPC's processor, else the thread. An ISR (a real
 * interrupt above DISPATCH_LEVEL) is not tracked: its interrupt spin lock is ordered by
 * IRQL, not by this graph. */
static KI_DEADLOCK_HELD *VfpDlContext(PKTHREAD *Thread)
{
    PKPRCB prcb = KeGetCurrentPrcb();
    *Thread = NULL;
    if (prcb->DpcRoutineActive)
        return &prcb->DpcDeadlockHeld;
    if (prcb->InterruptNesting && (KIRQL)__readcr8() > DISPATCH_LEVEL)
        return NULL;
    *Thread = prcb->CurrentThread;
    return *Thread ? &(*Thread)->DeadlockHeld : NULL;
}

/* Locks in the kernel image or in pool live until their memory goes (VfDeadlockDeleteRange);
 * one on a stack (the thread's, the boot stack, an application processor's) is forgotten once
 * nobody holds it, as its frame may be gone next and another lock take its address. */
static BOOLEAN VfpDlTransient(PVOID Lock)
{
    extern char __kernel_start[], KiBootStack[], KiBootStackTop[];
    char *p = Lock;
    if (p >= KiBootStack && p < KiBootStackTop)
        return TRUE;
    if (p >= __kernel_start && p < __bss_end)
        return FALSE;
    return !MiIsNonPagedPoolAddress(Lock) && !MiIsPagedPoolAddress(Lock);
}

static LONG VfpDlFind(KI_DEADLOCK_HELD *Ctx, PVOID Lock)
{
    for (ULONG i = 0; i < Ctx->Count; i++)
        if (Ctx->Lock[i] == Lock)
            return (LONG)i;
    return -1;
}

static VOID VfpDlDrop(KI_DEADLOCK_HELD *Ctx, ULONG i)
{
    for (; i + 1 < Ctx->Count; i++) {
        Ctx->Lock[i] = Ctx->Lock[i + 1];
        Ctx->Type[i] = Ctx->Type[i + 1];
        Ctx->Depth[i] = Ctx->Depth[i + 1];
    }
    Ctx->Count--;
}

static VOID VfpDlPrintLock(PCSTR What, PVOID Lock, UCHAR Type)
{
    ULONG64 off = 0;
    PCSTR sym = KiLookupSymbol((ULONG64)Lock, &off);
    if (sym)
        DbgPrint("VF-DEADLOCK   %s %p %s+0x%llx (%s)\n", What, Lock, sym, off, VfDlTypeNames[Type]);
    else
        DbgPrint("VF-DEADLOCK   %s %p (%s)\n", What, Lock, VfDlTypeNames[Type]);
}

/* Graph lock held: drop it, turn the detection off (the stop's own paths take locks) and
 * stop. */
static DECLSPEC_NORETURN VOID VfpDlStop(ULONG64 Flags, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    VfDlUnlockGraph(Flags);
    __atomic_and_fetch(&KiVerifierFlags, ~(ULONG)VERIFIER_DEADLOCK_DETECTION, __ATOMIC_SEQ_CST);
    KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, P1, P2, P3, P4);
}

/* The stop the !deadlock extension would explain: who holds what, and the earlier order. */
static VOID VfpDlReportCycle(PKTHREAD Thread, KI_DEADLOCK_HELD *Ctx, VFDL_NODE *Held, VFDL_NODE *New)
{
    static VFDL_NODE *path[VFDL_NODES]; /* graph lock held */
    ULONG n = 0;
    VfDlReaches(New, Held, path, &n);
    DbgPrint("VF-DEADLOCK Deadlock detected (%u locks): thread %p (%s) holds:\n", n, Thread,
             Thread ? Thread->Name : "a DPC");
    for (ULONG i = 0; i < Ctx->Count; i++)
        VfpDlPrintLock("held", Ctx->Lock[i], Ctx->Type[i]);
    VfpDlPrintLock("acquiring", New->Lock, New->Type);
    DbgPrint("VF-DEADLOCK earlier, each was acquired while holding the one before it:\n");
    for (ULONG i = 0; i < n; i++)
        VfpDlPrintLock(i ? "then" : "first", path[i]->Lock, path[i]->Type);
}

/* A fast mutex or resource that was never initialized (zeroed memory) has no event / no
 * waiter objects: its first use would wait on garbage. */
static BOOLEAN VfpDlInitialized(PVOID Lock, VF_DL_TYPE Type)
{
    if (Type == VfDlFastMutex)
        return ((PFAST_MUTEX)Lock)->Event.Header.Type == EventSynchronizationObject;
    if (Type == VfDlResource)
        return ((PERESOURCE)Lock)->SharedWaiters != NULL && ((PERESOURCE)Lock)->ExclusiveWaiters != NULL;
    return TRUE;
}

/* IRQL: any (the caller's own rule). Before an acquire that may wait; Try: after an acquire
 * that succeeded without waiting (it adds no order: a try never waits). */
VOID VfDeadlockAcquire(PVOID Lock, VF_DL_TYPE Type, BOOLEAN Try)
{
    PKTHREAD thread;
    KI_DEADLOCK_HELD *ctx = VfpDlContext(&thread);
    if (!ctx)
        return;
    if (!VfpDlInitialized(Lock, Type)) {
        __atomic_and_fetch(&KiVerifierFlags, ~(ULONG)VERIFIER_DEADLOCK_DETECTION, __ATOMIC_SEQ_CST);
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, VFDL_UNINITIALIZED, (ULONG_PTR)Lock, 0, 0);
    }
    ULONG64 f = VfDlLockGraph();
    LONG i = VfpDlFind(ctx, Lock);
    if (i >= 0) {
        /* KMUTEX and ERESOURCE are recursive; a spin lock or fast mutex waits for itself */
        if (Type != VfDlMutex && Type != VfDlResource)
            VfpDlStop(f, VFDL_SELF_DEADLOCK, (ULONG_PTR)Lock, 0, 0);
        ctx->Depth[i]++;
        VfDlUnlockGraph(f);
        return;
    }
    VFDL_NODE *node = VfDlInsert(Lock, (UCHAR)Type, __builtin_return_address(0));
    if (!node || ctx->Count == KI_DEADLOCK_MAX_HELD) {
        BOOLEAN first = !VfDlDegraded;
        VfDlDegraded = TRUE;
        VfDlUnlockGraph(f);
        if (first)
            DbgPrint("VF: deadlock detection: %s full, untracked locks from now on\n",
                     node ? "a context's held-lock list" : "the lock graph");
        return;
    }
    for (ULONG h = 0; h < ctx->Count && !Try; h++) {
        VFDL_NODE *held = VfDlLookup(ctx->Lock[h]);
        if (!held || held == node || VfDlHasEdge(held, node))
            continue;
        static VFDL_NODE *path[VFDL_NODES]; /* graph lock held */
        ULONG n;
        if (VfDlReaches(node, held, path, &n)) {
            __atomic_and_fetch(&KiVerifierFlags, ~(ULONG)VERIFIER_DEADLOCK_DETECTION, __ATOMIC_SEQ_CST);
            VfpDlReportCycle(thread, ctx, held, node);
            VfpDlStop(f, VFDL_DEADLOCK, (ULONG_PTR)Lock, 0, 0);
        }
        VfDlAddEdge(held, node);
    }
    ctx->Lock[ctx->Count] = Lock;
    ctx->Type[ctx->Count] = (UCHAR)Type;
    ctx->Depth[ctx->Count++] = 1;
    if (Type != VfDlResource) {
        node->Depth = 1;
        node->Owner = ctx;
        node->OwnerThread = thread;
    }
    VfDlUnlockGraph(f);
}

/* IRQL: any. The acquire VfDeadlockAcquire saw did not happen (a timed-out wait). */
VOID VfDeadlockAcquireFailed(PVOID Lock)
{
    PKTHREAD thread;
    KI_DEADLOCK_HELD *ctx = VfpDlContext(&thread);
    if (!ctx)
        return;
    ULONG64 f = VfDlLockGraph();
    LONG i = VfpDlFind(ctx, Lock);
    if (i >= 0 && --ctx->Depth[i] == 0) {
        VFDL_NODE *node = VfDlLookup(Lock);
        VfpDlDrop(ctx, (ULONG)i);
        if (node)
            node->Depth = 0, node->Owner = NULL, node->OwnerThread = NULL;
    }
    VfDlUnlockGraph(f);
}

/* IRQL: any. Before the lock is given up. */
VOID VfDeadlockRelease(PVOID Lock, VF_DL_TYPE Type)
{
    PKTHREAD thread;
    KI_DEADLOCK_HELD *ctx = VfpDlContext(&thread);
    if (!ctx)
        return;
    ULONG64 f = VfDlLockGraph();
    LONG i = VfpDlFind(ctx, Lock);
    VFDL_NODE *node = VfDlLookup(Lock);
    if (i < 0) {
        /* a resource may be released for another thread (ExReleaseResourceForThreadLite); a
         * mutant may have been taken by KeWaitForMultipleObjects, which is not watched */
        if (Type == VfDlResource || VfDlDegraded || (Type == VfDlMutex && !(node && node->Depth))) {
            VfDlUnlockGraph(f);
            return;
        }
        if (node && node->Depth && node->Owner != ctx)
            VfpDlStop(f, VFDL_UNEXPECTED_THREAD, (ULONG_PTR)Lock, (ULONG_PTR)node->OwnerThread,
                      (ULONG_PTR)KeGetCurrentThread());
        VfpDlStop(f, VFDL_UNACQUIRED, (ULONG_PTR)Lock, 0, 0);
    }
    /* spin locks nest by IRQL: the one acquired last must go first */
    if (Type == VfDlSpinLock || Type == VfDlQueuedSpinLock) {
        for (ULONG j = ctx->Count; j-- > (ULONG)i + 1;)
            if (ctx->Type[j] == VfDlSpinLock || ctx->Type[j] == VfDlQueuedSpinLock)
                VfpDlStop(f, VFDL_UNEXPECTED_RELEASE, (ULONG_PTR)Lock, (ULONG_PTR)ctx->Lock[j], 0);
    }
    if (--ctx->Depth[i] == 0) {
        VfpDlDrop(ctx, (ULONG)i);
        if (node) {
            node->Depth = 0, node->Owner = NULL, node->OwnerThread = NULL;
            if (VfpDlTransient(Lock))
                VfDlRemove(node);
        }
    }
    VfDlUnlockGraph(f);
}

/* IRQL: any. Memory that held locks was freed: forget them and their order. */
VOID VfDeadlockDeleteRange(PVOID Start, SIZE_T Size)
{
    ULONG64 f = VfDlLockGraph();
    for (ULONG i = 0; i < VFDL_NODES; i++) {
        PVOID l = VfDlNodes[i].Lock;
        if (l != NULL && l != VFDL_TOMBSTONE && (char *)l >= (char *)Start && (char *)l < (char *)Start + Size)
            VfDlRemove(&VfDlNodes[i]);
    }
    VfDlUnlockGraph(f);
}

/* IRQL: any. How many locks and orders the graph holds (tests, the bench). */
VOID VfDeadlockQuery(PULONG Nodes, PULONG Edges)
{
    ULONG64 f = VfDlLockGraph();
    ULONG n = 0;
    for (ULONG i = 0; i < VFDL_NODES; i++)
        n += VfDlNodes[i].Lock != NULL && VfDlNodes[i].Lock != VFDL_TOMBSTONE;
    *Nodes = n;
    *Edges = VfDlEdgeCount();
    VfDlUnlockGraph(f);
}
