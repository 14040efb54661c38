/* tests/vf/vfrace_tests.c - the campaign finding 0xC9/0x23D (disk:jitter seed 5006), kept as a
 * regression: a pended IRP completing from an interrupt at every instruction after dispatch. */
#include "../io/kt_io.h"
#include <irqlab/ramctl.h>

/* The finding: the RAM disk marked its IRP pending and armed its controller 1 us away; the
 * interrupt's DPC completed the IRP right after RdDispatchReadWrite returned, between the I/O
 * manager's two reads of "was it marked" (the frame's Passed, then the zeroed stack location),
 * and Verifier stopped with 0xC9/0x23D although the driver had marked the IRP. The campaign's
 * seed hits that window only while the code before it keeps its length; this test hits every
 * instruction of it: the device arms the PIT, spins k instructions, returns STATUS_PENDING,
 * and k sweeps the interrupt from inside the dispatch routine to after IoCallDriver returned.
 * Its own boot (suite vfrace): the PIT is routed to this test's vector meanwhile. */
#define KT_RACE_VECTOR 0x58 /* IRQL 5, a free vector below the RAM disk's 0x5D */
#define KT_RACE_IRQL 5
#define KT_RACE_DELAY_US 4  /* ~210 instructions at -icount shift=4 */
#define KT_RACE_SWEEP 600

static PKINTERRUPT KtpRaceInterrupt;
static KDPC KtpRaceDpc;
static PIRP volatile KtpRaceIrp;
static ULONG KtpRaceSpin;
/* 0: in the dispatch routine, 1: it returned, 2: IoCallDriver returned to the test */
static volatile ULONG KtpRaceStage;
static ULONG KtpRaceLanded[3];

static VOID KtpRaceDpcRoutine(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    PIRP irp = __atomic_exchange_n(&KtpRaceIrp, NULL, __ATOMIC_ACQ_REL);
    if (!irp)
        return;
    KtpRaceLanded[KtpRaceStage]++;
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

static BOOLEAN KtpRaceIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    KeInsertQueueDpc(&KtpRaceDpc, NULL, NULL);
    return TRUE;
}

/* Marks pending before the interrupt can complete it, as the RAM disk does. */
static NTSTATUS KtpRaceDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    IoMarkIrpPending(Irp);
    KtpRaceIrp = Irp;
    RamCtlRaiseInterrupt(KT_RACE_VECTOR, KT_RACE_DELAY_US);
    ULONG k = KtpRaceSpin;
    if (k & 1)
        __asm__ volatile("nop");
    for (k >>= 1; k; k--) /* two instructions a turn: with the nop, every offset */
        __asm__ volatile("" : "+r"(k));
    KtpRaceStage = 1;
    return STATUS_PENDING;
}

static NTSTATUS KtpRaceDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

KTEST(vfrace, pended_irp_completing_right_after_its_dispatch_returns_is_no_verifier_stop)
{
    PDRIVER_OBJECT drv = KtIoCreateDriver(L"\\Driver\\KtRace", KtpRaceDispatch);
    PDEVICE_OBJECT dev = KtIoCreateDeviceFor(drv);
    KeInitializeDpc(&KtpRaceDpc, KtpRaceDpcRoutine, NULL);
    KT_STATUS(IoConnectInterrupt(&KtpRaceInterrupt, KtpRaceIsr, NULL, NULL, KT_RACE_VECTOR,
                                 KT_RACE_IRQL, KT_RACE_IRQL, Latched, FALSE, 1,
                                 FALSE),
              STATUS_SUCCESS);
    ULONG gsi = RamCtlConnectTimer(KT_RACE_VECTOR);
    ULONG pending = 0, succeeded = 0;
    for (ULONG k = 0; k < KT_RACE_SWEEP; k++) {
        KEVENT done;
        KeInitializeEvent(&done, NotificationEvent, FALSE);
        PIRP irp = IoAllocateIrp(dev->StackSize, FALSE);
        IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
        irp->IoStatus.Status = STATUS_NOT_SUPPORTED;
        IoSetCompletionRoutine(irp, KtpRaceDone, &done, TRUE, TRUE, TRUE);
        KtpRaceSpin = k;
        KtpRaceStage = 0;
        NTSTATUS st = IoCallDriver(dev, irp);
        KtpRaceStage = 2;
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
        pending += st == STATUS_PENDING;
        succeeded += irp->IoStatus.Status == STATUS_SUCCESS && irp->PendingReturned;
        IoFreeIrp(irp);
    }
    RamCtlDisconnectTimer(gsi);
    IoDisconnectInterrupt(KtpRaceInterrupt);
    IoDeleteDevice(dev);
    KT_EQ(pending, KT_RACE_SWEEP);
    KT_EQ(succeeded, KT_RACE_SWEEP);
    /* the sweep covered the whole window: interrupts landed inside the dispatch routine, in the
     * I/O manager after it returned, and after IoCallDriver had returned. The delay is counted
     * in instructions only under -icount: multiprocessor boots run without it (the TSC follows
     * the host), so there the sweep's coverage is not guaranteed, only its outcome above. */
    if (KeQueryActiveProcessorCountEx(0) == 1) {
        KT_ASSERT(KtpRaceLanded[0] > 0);
        KT_ASSERT(KtpRaceLanded[1] > 0);
        KT_ASSERT(KtpRaceLanded[2] > 0);
    }
    DbgPrint("# landed: in dispatch %u, after its return %u, after IoCallDriver %u\n", KtpRaceLanded[0],
            KtpRaceLanded[1], KtpRaceLanded[2]);
}
