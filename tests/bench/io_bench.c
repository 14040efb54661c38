/* tests/bench/io_bench.c - I/O manager costs in TSC ticks per IRP: an IoAllocateIrp/IoFreeIrp
 * pair, and a pass-through round trip (IoCallDriver down, IoCompleteRequest up) through
 * stacks of 1, 2, 4 and 8 filters over a device that completes at once, with a completion
 * routine per filter and without (IoSkipCurrentIrpStackLocation). */
#include "../io/kt_io.h"

#define KB_ROUNDS 2000

KBENCH_DEFINE(io_irp_alloc_free)
{
    ULONG64 t0 = __rdtsc();
    for (ULONG i = 0; i < KB_ROUNDS; i++)
        IoFreeIrp(IoAllocateIrp(4, FALSE));
    KtBenchReport("io_irp_alloc_free", KB_ROUNDS, __rdtsc() - t0);
}

static NTSTATUS KbpStop(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    UNREFERENCED_PARAMETER(Context);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Skip: each filter passes its location on with IoSkipCurrentIrpStackLocation and sets no
 * routine (the WDK's pass-through shape); otherwise it copies its location and sets a
 * completion routine (KtIoFilterCompletion), so the walk calls one routine per layer. */
static VOID KbpPassThrough(BOOLEAN Skip, PCSTR Shape)
{
    static const ULONG depths[] = { 1, 2, 4, 8 };
    for (ULONG k = 0; k < ARRAYSIZE(depths); k++) {
        PDEVICE_OBJECT d[9];
        ULONG n = depths[k] + 1; /* filters plus the bottom device */
        KtIoBuildStack(n, d);
        for (ULONG i = 1; i < n; i++)
            KtExt(d[i])->Skip = Skip;
        PIRP irp = IoAllocateIrp(d[n - 1]->StackSize, FALSE);
        ULONG64 t0 = __rdtsc();
        for (ULONG i = 0; i < KB_ROUNDS; i++) {
            IoReuseIrp(irp, STATUS_SUCCESS);
            IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
            IoSetCompletionRoutine(irp, KbpStop, NULL, TRUE, TRUE, TRUE);
            IoCallDriver(d[n - 1], irp);
        }
        ULONG64 ticks = __rdtsc() - t0;
        char name[48];
        RtlpFormatString(name, sizeof(name), "io_passthrough%s_depth_%u", Shape, depths[k]);
        KtBenchReport(name, KB_ROUNDS, ticks);
        IoFreeIrp(irp);
        KtIoDestroyStack(n, d);
    }
}

KBENCH_DEFINE(io_passthrough)
{
    KbpPassThrough(FALSE, "");
    KbpPassThrough(TRUE, "_skip");
}
