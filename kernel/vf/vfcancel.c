/* kernel/vf/vfcancel.c - cancellation faults: a Zw caller's request, in flight below the I/O
 * manager, is cancelled with IoCancelIrp, as NtCancelIoFile or a terminating thread would. */
#include "vfp.h"

/* IRQL: PASSIVE_LEVEL (the I/O manager's wait in the requesting thread, io/file.c).
 * Windows cancels a thread's requests at APC_LEVEL, where the completion APC that frees an IRP
 * cannot run: the same here, so the IRP is alive while IoCancelIrp looks at it. A request that
 * completed meanwhile (its event is set) is not cancelled: there is nothing in flight. */
VOID VfCancelInFlight(PIRP Irp, UCHAR Major, PKEVENT Done, PVOID Caller)
{
    UCHAR major = Major;
    ULONG64 seq = 0, call = 0;
    ULONG64 f = VfpLock();
    VF_RULE *r = VfpHit(VfSiteCancel, major, Caller, &seq, &call);
    ULONG delay = r ? r->DelayMs : 0;
    VfpUnlock(f);
    if (!r)
        return;
    if (delay) {
        LARGE_INTEGER t = { .QuadPart = -(LONGLONG)delay * 10000 };
        KeWaitForSingleObject(Done, Executive, KernelMode, FALSE, &t);
    }
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    BOOLEAN finished = KeReadStateEvent(Done) != 0;
    BOOLEAN routine = finished ? FALSE : IoCancelIrp(Irp);
    KeLowerIrql(old);
    CHAR detail[96];
    RtlStringCbPrintfA(detail, sizeof(detail), "major=0x%x delay_ms=%u %s call=%llu", major, delay,
                       finished ? "completed-first" : routine ? "cancel-routine-called" : "no-cancel-routine", call);
    VfpPrintFault(seq, VfSiteCancel, Caller, detail);
}
