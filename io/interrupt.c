/* io/interrupt.c - IoConnectInterrupt: an interrupt object from nonpaged pool, initialised
 * and connected through the kernel (ke/interrupt.c); IoDisconnectInterrupt undoes it. */
#include "iop.h"

/* PASSIVE_LEVEL. One processor, one vector: ShareVector and the affinity are accepted as
 * long as they ask for nothing more. */
NTSTATUS IoConnectInterrupt(PKINTERRUPT *InterruptObject, PKSERVICE_ROUTINE ServiceRoutine, PVOID ServiceContext,
                            PKSPIN_LOCK SpinLock, ULONG Vector, KIRQL Irql, KIRQL SynchronizeIrql,
                            KINTERRUPT_MODE InterruptMode, BOOLEAN ShareVector, KAFFINITY ProcessorEnableMask,
                            BOOLEAN FloatingSave)
{
    UNREFERENCED_PARAMETER(ShareVector);
    VF_DDI_CHECK(IoConnectInterrupt);
    if (!(ProcessorEnableMask & 1) || FloatingSave)
        return STATUS_INVALID_PARAMETER;
    PKINTERRUPT i = ExAllocatePoolWithTag(NonPagedPool, sizeof(KINTERRUPT), 'tnIK');
    if (!i)
        return STATUS_INSUFFICIENT_RESOURCES;
    KeInitializeInterrupt(i, ServiceRoutine, ServiceContext, SpinLock, Vector, Irql, SynchronizeIrql, InterruptMode);
    if (!KeConnectInterrupt(i)) {
        ExFreePoolWithTag(i, 'tnIK');
        return STATUS_INVALID_PARAMETER;
    }
    *InterruptObject = i;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. */
VOID IoDisconnectInterrupt(PKINTERRUPT InterruptObject)
{
    VF_DDI_CHECK(IoDisconnectInterrupt);
    KeDisconnectInterrupt(InterruptObject);
    ExFreePoolWithTag(InterruptObject, 'tnIK');
}
