/* io/irp.c - IRP allocation and the request builders: stack locations follow the IRP and
 * CurrentLocation counts down from StackCount + 1 as the IRP goes down the stack. */
#include "iop.h"

#define IOP_IRP_TAG ' prI'

IOP_IRP_COUNTERS IopIrpCounters;

/* IRQL: any. A report: counters are read one by one, not as a snapshot. */
VOID IoQueryIrpStatistics(PIO_IRP_STATISTICS Statistics)
{
    Statistics->Allocated = IopIrpCounters.Allocated;
    Statistics->Freed = IopIrpCounters.Freed;
    Statistics->Outstanding = Statistics->Allocated - Statistics->Freed;
    Statistics->FinalCompletions = IopIrpCounters.FinalCompletions;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++) {
        Statistics->TopLevelSent[i] = IopIrpCounters.TopLevelSent[i];
        Statistics->TopLevelCompleted[i] = IopIrpCounters.TopLevelCompleted[i];
    }
}

/* IRQL: any. Lays out an IRP of StackSize locations in caller-provided memory. The zeroing is
 * most of IoAllocateIrp's lookaside hit (four locations: 496 bytes, 62 `rep stosq` steps);
 * Windows zeroes the whole packet too. */
VOID IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize)
{
    RtlZeroMemory(Irp, PacketSize);
    Irp->Type = IO_TYPE_IRP;
    Irp->Size = PacketSize;
    Irp->StackCount = StackSize;
    Irp->CurrentLocation = (CHAR)(StackSize + 1);
    Irp->ApcEnvironment = OriginalApcEnvironment;
    InitializeListHead(&Irp->ThreadListEntry);
    Irp->Tail.Overlay.CurrentStackLocation = (PIO_STACK_LOCATION)(Irp + 1) + StackSize;
}

/* The IRP lookaside lists, one per processor in its PRCB as Windows keeps them: IRPs of up to
 * IOP_LOOKASIDE_STACK locations are all that size, and a freed one waits on the freeing
 * processor's list for the next IoAllocateIrp there instead of going back to the pool (not
 * under I/O verification). Its blocks carry their own tag, so ' prI' still counts IRPs in use.
 * A processor touches only its own list, with interrupts off (IRPs are allocated and freed
 * at up to DISPATCH_LEVEL, from DPCs and ISRs' DPCs), so no lock is taken; the list is
 * reached through GS, which is the current PRCB. */
#define IOP_LOOKASIDE_STACK 8
#define IOP_LOOKASIDE_DEPTH 64
#define IOP_LOOKASIDE_TAG 'LprI'
#define IOP_LOOKASIDE_SIZE IoSizeOfIrp(IOP_LOOKASIDE_STACK)
#define IopPrcb(type, field) (*(type __seg_gs *)(ULONG_PTR)__builtin_offsetof(KPRCB, field))

static PIRP IopPopLookaside(void)
{
    ULONG64 f = __readeflags();
    _disable();
    PSINGLE_LIST_ENTRY e = IopPrcb(PSINGLE_LIST_ENTRY, IrpLookaside.Next);
    if (e) {
        IopPrcb(PSINGLE_LIST_ENTRY, IrpLookaside.Next) = e->Next;
        IopPrcb(ULONG, IrpLookasideDepth)--;
    }
    if (f & 0x200)
        _enable();
    return (PIRP)e;
}

static BOOLEAN IopPushLookaside(PIRP Irp)
{
    BOOLEAN kept = FALSE;
    ULONG64 f = __readeflags();
    _disable();
    if (IopPrcb(ULONG, IrpLookasideDepth) < IOP_LOOKASIDE_DEPTH) {
        ((PSINGLE_LIST_ENTRY)Irp)->Next = IopPrcb(PSINGLE_LIST_ENTRY, IrpLookaside.Next);
        IopPrcb(PSINGLE_LIST_ENTRY, IrpLookaside.Next) = (PSINGLE_LIST_ENTRY)Irp;
        IopPrcb(ULONG, IrpLookasideDepth)++;
        kept = TRUE;
    }
    if (f & 0x200)
        _enable();
    return kept;
}

/* IoInitializeIrp for a packet of IOP_LOOKASIDE_SIZE bytes, inline: the zeroing is one
 * `rep stosq` of the StackSize locations in use (sizes are whole quadwords) and the header's
 * fields are stored as Windows sets them; ApcEnvironment (OriginalApcEnvironment) is the zero. */
FORCEINLINE VOID IopInitializeLookasideIrp(PIRP Irp, CCHAR StackSize)
{
    ULONG64 n = IoSizeOfIrp(StackSize) / 8, p = (ULONG64)Irp;
    __asm__ volatile("rep stosq" : "+D"(p), "+c"(n) : "a"(0ull) : "memory");
    Irp->Type = IO_TYPE_IRP;
    Irp->Size = IOP_LOOKASIDE_SIZE;
    Irp->StackCount = StackSize;
    Irp->CurrentLocation = (CHAR)(StackSize + 1);
    InitializeListHead(&Irp->ThreadListEntry);
    Irp->Tail.Overlay.CurrentStackLocation = (PIO_STACK_LOCATION)(Irp + 1) + StackSize;
    Irp->AllocationFlags = IRP_ALLOCATED_FIXED_SIZE | IRP_LOOKASIDE_ALLOCATION;
    Irp->IopState = IOP_IRP_POOL;
}

/* Everything but a lookaside hit: a fault-injection rule, I/O verification, a large stack,
 * an empty list. Caller: IoAllocateIrp's caller, for the fault rule. */
static __attribute__((noinline)) PIRP IopAllocateIrpSlow(CCHAR StackSize, PVOID Caller)
{
    if (StackSize < 1 || VfShouldFail(VfSiteIrp, 0, Caller))
        return NULL;
    /* I/O verification wants every IRP from the pool (special pool catches a use after free) */
    BOOLEAN fixed = StackSize <= IOP_LOOKASIDE_STACK && !IopVerifying();
    USHORT size = fixed ? IOP_LOOKASIDE_SIZE : IoSizeOfIrp(StackSize);
    PIRP irp = fixed ? IopPopLookaside() : NULL;
    if (!irp)
        irp = ExAllocatePoolWithTag(NonPagedPool, size, fixed ? IOP_LOOKASIDE_TAG : IOP_IRP_TAG);
    if (!irp)
        return NULL;
    IoInitializeIrp(irp, IoSizeOfIrp(StackSize), StackSize); /* locations past StackCount are never used */
    irp->Size = size;
    irp->AllocationFlags = IRP_ALLOCATED_FIXED_SIZE | (fixed ? IRP_LOOKASIDE_ALLOCATION : 0);
    irp->IopState = IOP_IRP_POOL;
    IopCount(Allocated);
    return irp;
}

/* IRQL <= DISPATCH_LEVEL. A lookaside hit makes no call. */
PIRP IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota)
{
    UNREFERENCED_PARAMETER(ChargeQuota);
    if (__builtin_expect((UCHAR)(StackSize - 1) < IOP_LOOKASIDE_STACK && !VfSiteArmed(VfSiteIrp) && !IopVerifying(), 1)) {
        PIRP irp = IopPopLookaside();
        if (__builtin_expect(irp != NULL, 1)) {
            IopInitializeLookasideIrp(irp, StackSize);
            IopCount(Allocated);
            return irp;
        }
    }
    return IopAllocateIrpSlow(StackSize, __builtin_return_address(0));
}

/* The free itself, once IoFreeIrp's checks passed: back to this processor's list, or to pool. */
FORCEINLINE VOID IopFreeIrpInline(PIRP Irp)
{
    BOOLEAN lookaside = (Irp->AllocationFlags & IRP_LOOKASIDE_ALLOCATION) != 0;
    Irp->Type = 0; /* a second free or a completion of freed memory shows up as a bad type */
    IopCount(Freed);
    if (lookaside && IopPushLookaside(Irp))
        return;
    ExFreePoolWithTag(Irp, lookaside ? IOP_LOOKASIDE_TAG : IOP_IRP_TAG);
}
VOID IopFreeIrpNow(PIRP Irp) { IopFreeIrpInline(Irp); }

/* Everything IoFreeIrp does but the common free: the stops, caller-initialised memory, and an
 * IRP a verifier frame still reads. Caller: IoFreeIrp's caller, for the stop's parameters. */
static __attribute__((noinline)) VOID IopFreeIrpSlow(PIRP Irp, PVOID Caller)
{
    if (Irp->Type != IO_TYPE_IRP) {
        if (IopVerifying())
            IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x01, (ULONG_PTR)Irp, 0, 0, NULL, Caller);
        KeBugCheckEx(BUGPARAMS_44(Irp));
    }
    if ((Irp->IopState & IOP_IRP_DISPATCHED) && IopVerifying())
        IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, 0x20A, (ULONG_PTR)Caller, (ULONG_PTR)Irp,
                        (ULONG_PTR)IoGetCurrentIrpStackLocation(Irp)->DeviceObject, NULL, Caller);
    if (!(Irp->IopState & IOP_IRP_POOL))
        return; /* caller-initialised memory: nothing of ours to free */
    if (IopFrameDeferFree(Irp))
        return; /* a verifier frame still reads it; it frees on the way out */
    IopFreeIrpInline(Irp);
}

/* IRQL <= DISPATCH_LEVEL. Freeing an IRP a lower driver still holds is Verifier 0xC9/0x20A;
 * freeing something that is not an IRP is 0xC9/0x01. The common case (an IRP of ours, not
 * dispatched, no verifier frame anywhere) makes no call but the pool's on a full list. */
VOID IoFreeIrp(PIRP Irp)
{
    if (__builtin_expect(Irp->Type == IO_TYPE_IRP &&
                         (Irp->IopState & (IOP_IRP_DISPATCHED | IOP_IRP_POOL)) == IOP_IRP_POOL &&
                         IsListEmpty(&IopFrames), 1))
        IopFreeIrpInline(Irp);
    else
        IopFreeIrpSlow(Irp, __builtin_return_address(0));
}

/* IRQL <= DISPATCH_LEVEL. Makes a completed IRP from IoAllocateIrp new again. */
VOID IoReuseIrp(PIRP Irp, NTSTATUS Status)
{
    UCHAR flags = Irp->AllocationFlags;
    ULONG state = Irp->IopState & IOP_IRP_POOL;
    IoInitializeIrp(Irp, Irp->Size, Irp->StackCount);
    Irp->AllocationFlags = flags;
    Irp->IopState = state;
    Irp->IoStatus.Status = Status;
}

static PVOID IopCurrentThread(void) { return KeGetCurrentThread(); } /* one gs load: no migration between two */

/* Buffered or direct I/O for a read or write, as the target device asks. */
BOOLEAN IopSetupTransfer(PIRP Irp, PDEVICE_OBJECT Device, ULONG Major, PVOID Buffer, ULONG Length)
{
    Irp->UserBuffer = Buffer;
    if (!Length)
        return TRUE;
    if (Device->Flags & DO_BUFFERED_IO) {
        Irp->AssociatedIrp.SystemBuffer = ExAllocatePoolWithTag(NonPagedPool, Length, 'fbSI');
        if (!Irp->AssociatedIrp.SystemBuffer)
            return FALSE;
        Irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER;
        if (Major == IRP_MJ_WRITE)
            RtlCopyMemory(Irp->AssociatedIrp.SystemBuffer, Buffer, Length);
        else
            Irp->Flags |= IRP_INPUT_OPERATION;
    } else if (Device->Flags & DO_DIRECT_IO) {
        PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, Irp);
        if (!mdl)
            return FALSE;
        MmProbeAndLockPages(mdl, KernelMode, Major == IRP_MJ_READ ? IoWriteAccess : IoReadAccess);
    }
    return TRUE;
}

/* IRQL <= DISPATCH_LEVEL. Unlocks and frees every MDL on the IRP. */
VOID IopFreeMdlChain(PIRP Irp)
{
    while (Irp->MdlAddress) {
        PMDL m = Irp->MdlAddress;
        Irp->MdlAddress = m->Next;
        if (m->MdlFlags & MDL_PAGES_LOCKED)
            MmUnlockPages(m);
        IoFreeMdl(m);
    }
}

static VOID IopFreeTransfer(PIRP Irp)
{
    if (Irp->Flags & IRP_DEALLOCATE_BUFFER)
        ExFreePoolWithTag(Irp->AssociatedIrp.SystemBuffer, 'fbSI');
    IopFreeMdlChain(Irp);
}

/* IRQL <= DISPATCH_LEVEL. The caller owns the IRP: its completion routine frees it (with
 * IoFreeIrp, after releasing the buffer or MDL it set up) and returns
 * STATUS_MORE_PROCESSING_REQUIRED. */
static PIRP IopBuildFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer, ULONG Length,
                               PLARGE_INTEGER StartingOffset, PIO_STATUS_BLOCK IoStatusBlock)
{
    PIRP irp = IoAllocateIrp(DeviceObject->StackSize, FALSE);
    if (!irp)
        return NULL;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = (UCHAR)MajorFunction;
    irp->UserIosb = IoStatusBlock;
    irp->Tail.Overlay.Thread = IopCurrentThread();
    irp->RequestorMode = KernelMode;
    if (MajorFunction == IRP_MJ_READ || MajorFunction == IRP_MJ_WRITE) {
        if (!IopSetupTransfer(irp, DeviceObject, MajorFunction, Buffer, Length)) {
            IopFreeTransfer(irp);
            IoFreeIrp(irp);
            return NULL;
        }
        sp->Parameters.Read.Length = Length;
        sp->Parameters.Read.ByteOffset.QuadPart = StartingOffset ? StartingOffset->QuadPart : 0;
    }
    return irp;
}
PIRP IoBuildAsynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer, ULONG Length,
                                   PLARGE_INTEGER StartingOffset, PIO_STATUS_BLOCK IoStatusBlock)
{
    if (VfShouldFail(VfSiteFsdRequest, MajorFunction, __builtin_return_address(0)))
        return NULL;
    return IopBuildFsdRequest(MajorFunction, DeviceObject, Buffer, Length, StartingOffset, IoStatusBlock);
}

/* PASSIVE_LEVEL. The I/O manager owns and frees this IRP when it completes; Event is set
 * (and IoStatusBlock written) unless the request fails synchronously. */
PIRP IoBuildSynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject, PVOID Buffer, ULONG Length,
                                  PLARGE_INTEGER StartingOffset, PKEVENT Event, PIO_STATUS_BLOCK IoStatusBlock)
{
    PIRP irp = VfShouldFail(VfSiteFsdRequest, MajorFunction, __builtin_return_address(0))
                   ? NULL : IopBuildFsdRequest(MajorFunction, DeviceObject, Buffer, Length, StartingOffset, IoStatusBlock);
    if (!irp)
        return NULL;
    irp->UserEvent = Event;
    irp->Flags |= IRP_SYNCHRONOUS_API;
    irp->IopState |= IOP_IRP_OWNED_BY_IO;
    return irp;
}

/* IRQL <= APC_LEVEL (rule IrqlIoPassive1). The buffering follows the control code's transfer method. */
PIRP IoBuildDeviceIoControlRequest(ULONG IoControlCode, PDEVICE_OBJECT DeviceObject, PVOID InputBuffer,
                                   ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength,
                                   BOOLEAN InternalDeviceIoControl, PKEVENT Event, PIO_STATUS_BLOCK IoStatusBlock)
{
    VF_DDI_CHECK(IoBuildDeviceIoControlRequest);
    PIRP irp = IoAllocateIrp(DeviceObject->StackSize, FALSE);
    if (!irp)
        return NULL;
    PIO_STACK_LOCATION sp = IoGetNextIrpStackLocation(irp);
    sp->MajorFunction = InternalDeviceIoControl ? IRP_MJ_INTERNAL_DEVICE_CONTROL : IRP_MJ_DEVICE_CONTROL;
    sp->Parameters.DeviceIoControl.IoControlCode = IoControlCode;
    sp->Parameters.DeviceIoControl.InputBufferLength = InputBufferLength;
    sp->Parameters.DeviceIoControl.OutputBufferLength = OutputBufferLength;
    irp->UserIosb = IoStatusBlock;
    irp->UserEvent = Event;
    irp->Tail.Overlay.Thread = IopCurrentThread();
    irp->Flags |= IRP_SYNCHRONOUS_API;
    irp->IopState |= IOP_IRP_OWNED_BY_IO;
    ULONG method = IoControlCode & 3;
    ULONG big = InputBufferLength > OutputBufferLength ? InputBufferLength : OutputBufferLength;
    if (method == METHOD_BUFFERED) {
        if (big) {
            irp->AssociatedIrp.SystemBuffer = ExAllocatePoolWithTag(NonPagedPool, big, 'fbSI');
            if (!irp->AssociatedIrp.SystemBuffer) {
                IoFreeIrp(irp);
                return NULL;
            }
            if (InputBuffer && InputBufferLength)
                RtlCopyMemory(irp->AssociatedIrp.SystemBuffer, InputBuffer, InputBufferLength);
            irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER;
            if (OutputBuffer && OutputBufferLength)
                irp->Flags |= IRP_INPUT_OPERATION;
        }
        irp->UserBuffer = OutputBuffer;
    } else if (method == METHOD_IN_DIRECT || method == METHOD_OUT_DIRECT) {
        irp->AssociatedIrp.SystemBuffer = InputBuffer;
        if (OutputBuffer && OutputBufferLength) {
            PMDL mdl = IoAllocateMdl(OutputBuffer, OutputBufferLength, FALSE, FALSE, irp);
            if (!mdl) {
                IoFreeIrp(irp);
                return NULL;
            }
            MmProbeAndLockPages(mdl, KernelMode, method == METHOD_IN_DIRECT ? IoReadAccess : IoWriteAccess);
        }
    } else {
        sp->Parameters.DeviceIoControl.Type3InputBuffer = InputBuffer;
        irp->UserBuffer = OutputBuffer;
    }
    return irp;
}

/* IRQL <= DISPATCH_LEVEL. An associated IRP of a master: when the last one completes, the
 * master completes. The master's IrpCount is the driver's to set. */
PIRP IoMakeAssociatedIrp(PIRP Irp, CCHAR StackSize)
{
    PIRP a = IoAllocateIrp(StackSize, FALSE);
    if (!a)
        return NULL;
    a->Flags |= IRP_ASSOCIATED_IRP;
    a->AssociatedIrp.MasterIrp = Irp;
    a->Tail.Overlay.Thread = Irp->Tail.Overlay.Thread;
    a->RequestorMode = Irp->RequestorMode;
    return a;
}

/* The I/O manager's own clean-up of an IRP it built (buffers, MDLs, then the packet). */
VOID IopReleaseIoOwnedIrp(PIRP Irp)
{
    IopFreeTransfer(Irp);
    IoFreeIrp(Irp);
}
