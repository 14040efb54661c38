/* ke/apc.c - kernel APCs: per-thread queues delivered by the APC_LEVEL software interrupt
 * (0x1F) in the target thread; critical regions hold off normal APCs, guarded regions all. */
#include "ki.h"
#include "../hal/hal.h"

/* Windows' CombinedApcDisable: SpecialApcDisable in the high 16 bits, KernelApcDisable in
 * the low 16, each counting down from 0 (one critical region reads 0x0000FFFF). */
ULONG KiCombinedApcDisable(PKTHREAD t)
{
    return ((ULONG)(USHORT)(-t->SpecialApcDisable) << 16) | (USHORT)(-t->KernelApcDisable);
}

/* IRQL: any. */
VOID KeInitializeApc(PRKAPC Apc, PRKTHREAD Thread, KAPC_ENVIRONMENT Environment, PKKERNEL_ROUTINE KernelRoutine,
                     PKRUNDOWN_ROUTINE RundownRoutine, PKNORMAL_ROUTINE NormalRoutine, KPROCESSOR_MODE ApcMode,
                     PVOID NormalContext)
{
    UNREFERENCED_PARAMETER(Environment);
    Apc->Type = ApcObject;
    Apc->Thread = Thread;
    Apc->KernelRoutine = KernelRoutine;
    Apc->RundownRoutine = RundownRoutine;
    Apc->NormalRoutine = NormalRoutine;
    Apc->Inserted = FALSE;
    /* A special kernel APC has no normal routine and is always kernel mode. */
    Apc->ApcMode = NormalRoutine ? ApcMode : KernelMode;
    Apc->NormalContext = NormalRoutine ? NormalContext : NULL;
}

/* DISPATCH_LEVEL (or the owning thread at APC_LEVEL). Whether the head APC may run now. */
BOOLEAN KiApcDeliverable(PKTHREAD t)
{
    if (IsListEmpty(&t->ApcListHead) || t->SpecialApcDisable)
        return FALSE;
    PKAPC apc = CONTAINING_RECORD(t->ApcListHead.Flink, KAPC, ApcListEntry);
    return apc->NormalRoutine == NULL || (t->KernelApcDisable == 0 && !t->KernelApcInProgress);
}

/* IRQL <= DISPATCH_LEVEL. FALSE if already queued or the thread is exiting. A thread
 * waiting at PASSIVE_LEVEL that may take the APC is woken for it, boosted by Increment
 * (this is how IoCompleteRequest's PriorityBoost reaches the requesting thread), and then
 * waits again. */
BOOLEAN KeInsertQueueApc(PRKAPC Apc, PVOID SystemArgument1, PVOID SystemArgument2, KPRIORITY Increment)
{
    PKTHREAD t = Apc->Thread;
    KIRQL irql = KiAcquireDispatcherDatabase();
    if (Apc->Inserted || !t->ApcQueueable) {
        KiReleaseDispatcherDatabase(irql);
        return FALSE;
    }
    Apc->SystemArgument1 = SystemArgument1;
    Apc->SystemArgument2 = SystemArgument2;
    Apc->Inserted = TRUE;
    if (Apc->NormalRoutine) {
        InsertTailList(&t->ApcListHead, &Apc->ApcListEntry);
    } else {
        /* Special APCs go after the special ones already queued, before any normal one. */
        PLIST_ENTRY e = t->ApcListHead.Flink;
        while (e != &t->ApcListHead && !CONTAINING_RECORD(e, KAPC, ApcListEntry)->NormalRoutine)
            e = e->Flink;
        InsertTailList(e, &Apc->ApcListEntry);
    }
    t->KernelApcPending = TRUE;
    if (t == KeGetCurrentThread())
        HalRequestSoftwareInterrupt(APC_LEVEL); /* fires once IRQL is below APC_LEVEL */
    else if (t->State == Running)
        KiIpiSend((KAFFINITY)1 << t->Processor, KI_IPI_APC); /* it runs on another processor */
    else if (t->State == Waiting && t->WaitIrql == PASSIVE_LEVEL && KiApcDeliverable(t))
        KiUnwaitThread(t, STATUS_KERNEL_APC, Increment);
    KiReleaseDispatcherDatabase(irql);
    return TRUE;
}

/* KiApcInterruptHook: the APC software interrupt, at APC_LEVEL in whichever thread runs.
 * Kernel routines run at APC_LEVEL; a normal routine runs at PASSIVE_LEVEL with further
 * normal APCs held off until it returns. */
VOID KiApcInterrupt(PKTRAP_FRAME TrapFrame)
{
    UNREFERENCED_PARAMETER(TrapFrame);
    PKTHREAD t = KeGetCurrentThread();
    for (;;) {
        KiAcquireDispatcherDatabase(); /* the APC list: other processors insert into it */
        if (IsListEmpty(&t->ApcListHead))
            t->KernelApcPending = FALSE;
        if (!KiApcDeliverable(t)) {
            KiReleaseDispatcherDatabase(APC_LEVEL);
            return;
        }
        PKAPC apc = CONTAINING_RECORD(RemoveHeadList(&t->ApcListHead), KAPC, ApcListEntry);
        PKKERNEL_ROUTINE kernel = apc->KernelRoutine;
        PKNORMAL_ROUTINE normal = apc->NormalRoutine;
        PVOID ctx = apc->NormalContext, a1 = apc->SystemArgument1, a2 = apc->SystemArgument2;
        apc->Inserted = FALSE;
        if (IsListEmpty(&t->ApcListHead))
            t->KernelApcPending = FALSE;
        KiReleaseDispatcherDatabase(APC_LEVEL);
        kernel(apc, &normal, &ctx, &a1, &a2); /* may free the APC or cancel the normal routine */
        if (normal) {
            t->KernelApcInProgress = TRUE;
            KiLowerIrqlRaw(PASSIVE_LEVEL);
            normal(ctx, a1, a2);
            KiRaiseIrqlRaw(APC_LEVEL);
            t->KernelApcInProgress = FALSE;
        }
    }
}

/* PASSIVE_LEVEL, by an exiting thread: APCs still queued get their rundown routine. */
VOID KiRundownApcs(PKTHREAD t)
{
    KIRQL irql = KiAcquireDispatcherDatabase();
    t->ApcQueueable = FALSE;
    while (!IsListEmpty(&t->ApcListHead)) {
        PKAPC apc = CONTAINING_RECORD(RemoveHeadList(&t->ApcListHead), KAPC, ApcListEntry);
        apc->Inserted = FALSE;
        KiReleaseDispatcherDatabase(irql);
        if (apc->RundownRoutine)
            apc->RundownRoutine(apc);
        KiAcquireDispatcherDatabase();
    }
    t->KernelApcPending = FALSE;
    KiReleaseDispatcherDatabase(irql);
}

static VOID KipCheckRegionIrql(ULONG Code)
{
    KIRQL irql = KeGetCurrentIrql();
    if (irql > APC_LEVEL && KiVerifierOn(VERIFIER_IRQL_CHECKING))
        KeBugCheckEx(BUGPARAMS_C4_REGION_ABOVE_APC(Code, irql));
}

/* IRQL <= APC_LEVEL: a region was left and APCs may be queued; the APC interrupt delivers them. */
VOID KiCheckForKernelApcDelivery(PKTHREAD t)
{
    KIRQL irql = KiAcquireDispatcherDatabase();
    if (KiApcDeliverable(t))
        HalRequestSoftwareInterrupt(APC_LEVEL);
    KiReleaseDispatcherDatabase(irql);
}

/* IRQL <= APC_LEVEL (Verifier: 0xC4 P1 0x11A with the IRQL). Normal kernel APCs wait;
 * special ones still run. */
VOID KeEnterCriticalRegion(void)
{
    VF_DDI_CHECK(KeEnterCriticalRegion);
    KipCheckRegionIrql(0x11A);
    KeGetCurrentThread()->KernelApcDisable++;
}

/* IRQL <= APC_LEVEL (0xC4/0x11B). Leaving a region never entered: 0xC4 P1 0x3E. */
VOID KeLeaveCriticalRegion(void)
{
    VF_DDI_CHECK(KeLeaveCriticalRegion);
    PKTHREAD t = KeGetCurrentThread();
    KipCheckRegionIrql(0x11B);
    if (t->KernelApcDisable <= 0 && KiVerifierOn(VERIFIER_IRQL_CHECKING))
        KeBugCheckEx(BUGPARAMS_C4_LEAVE_CRITICAL_REGION_NOT_ENTERED());
    /* The list is read without the dispatcher lock, as Windows' inline KeLeaveCriticalRegion
     * does: an APC inserted after this read sends its own request (a self-request or the APC
     * IPI, ke/apc.c KeInsertQueueApc), which finds the region left; one inserted before it is
     * seen here, on this processor or after the IPI that announced it. */
    if (--t->KernelApcDisable == 0 && __atomic_load_n(&t->ApcListHead.Flink, __ATOMIC_SEQ_CST) != &t->ApcListHead)
        KiCheckForKernelApcDelivery(t);
}

/* IRQL <= APC_LEVEL. All kernel APCs, special ones included, wait. */
VOID KeEnterGuardedRegion(void) { KeGetCurrentThread()->SpecialApcDisable++; }

/* IRQL <= APC_LEVEL. */
VOID KeLeaveGuardedRegion(void)
{
    VF_DDI_CHECK(KeLeaveGuardedRegion);
    PKTHREAD t = KeGetCurrentThread();
    if (--t->SpecialApcDisable == 0)
        KiCheckForKernelApcDelivery(t);
}

/* IRQL: any. TRUE inside a critical or guarded region. */
BOOLEAN KeAreApcsDisabled(void)
{
    PKTHREAD t = KeGetCurrentThread();
    return t->KernelApcDisable != 0 || t->SpecialApcDisable != 0;
}
