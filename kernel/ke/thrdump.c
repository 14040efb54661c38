/* ke/thrdump.c - the thread and wait report: every thread with its state, priority, IRQL,
 * APC state and the objects it waits on. Printed on demand and in every stop report. */
#include "ki.h"

static VOID KipPrintObject(PVOID Object)
{
    DISPATCHER_HEADER *h = Object;
    DbgPrint("      waits on %s %p (state %d", KiObjectTypeName(h->Type), Object, h->SignalState);
    if (h->Type == MutantObject && ((PKMUTANT)h)->OwnerThread)
        DbgPrint(", owner thread %u", ((PKMUTANT)h)->OwnerThread->Id);
    if (h->Type == ThreadObject)
        DbgPrint(", thread %u", ((PKTHREAD)h)->Id);
    DbgPrint(")\n");
}

/* KWAIT_REASON, numbered as Windows numbers it. */
static PCSTR KipWaitReasonName(ULONG Reason)
{
    static const PCSTR names[] = { "Executive", "FreePage", "PageIn", "PoolAllocation", "DelayExecution",
                                   "Suspended", "UserRequest", "WrExecutive", "WrFreePage", "WrPageIn",
                                   "WrPoolAllocation", "WrDelayExecution", "WrSuspended", "WrUserRequest",
                                   "WrEventPair", "WrQueue", "WrLpcReceive", "WrLpcReply", "WrVirtualMemory",
                                   "WrPageOut", "WrRendezvous" };
    return Reason < ARRAYSIZE(names) ? names[Reason] : "?";
}

/* IRQL: any. Reads without locking: it must work from a bug check. */
VOID KiDumpThread(PKTHREAD t)
{
    ULONG64 off = 0;
    PCSTR start = t->StartRoutine ? KiLookupSymbol((ULONG64)t->StartRoutine, &off) : "KiSystemStartup";
    BOOLEAN current = t == KeGetCurrentThread();
    DbgPrint("  thread %u %p %-15s %s%-9s prio %2d", t->Id, t, t->Name, current ? "*" : " ",
             KiThreadStateName(t->State), t->Priority);
    if (current)
        DbgPrint(" IRQL %u", (ULONG)KeGetCurrentIrql());
    else if (t->State == Waiting)
        DbgPrint(" IRQL %u", t->WaitIrql);
    else if (t->State == Ready && t->ContextSwitches)
        DbgPrint(" IRQL <2"); /* preempted: its IRQL is in its interrupt frame, below DISPATCH */
    DbgPrint(" %s, %llu switches\n", start ? start : "?", t->ContextSwitches);
    if (t->KernelApcDisable || t->SpecialApcDisable || t->KernelApcPending)
        DbgPrint("      apc-disable 0x%x%s\n", KiCombinedApcDisable(t), t->KernelApcPending ? " apc-pending" : "");
    if (t->State != Waiting)
        return;
    DbgPrint("      %s wait, reason %s", t->WaitType == WaitAll ? "WaitAll" : "WaitAny",
             KipWaitReasonName(t->WaitReason));
    if (t->WaitDueTime) {
        ULONG64 now = KeQueryInterruptTime();
        DbgPrint(", timeout in %lld us", ((LONGLONG)t->WaitDueTime - (LONGLONG)now) / 10);
    }
    DbgPrint("\n");
    for (ULONG i = 0; i < t->WaitCount && i < MAXIMUM_WAIT_OBJECTS; i++)
        KipPrintObject(t->WaitBlockList[i].Object);
}

/* IRQL: any. */
VOID KeDumpThreads(void)
{
    ULONG n = 0;
    if (!KiThreadListHead.Flink) {
        DbgPrint("Threads: not initialized yet\n");
        return;
    }
    DbgPrint("Threads (* running), %llu context switches:\n", KiContextSwitches);
    for (PLIST_ENTRY e = KiThreadListHead.Flink; e != &KiThreadListHead && n < 200; e = e->Flink, n++)
        KiDumpThread(CONTAINING_RECORD(e, KTHREAD, ThreadListEntry));
}
