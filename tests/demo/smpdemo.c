/* tests/demo/smpdemo.c - the multiprocessor part of the demo: a read sent to the RAM disk
 * from processor 0 whose completion routine runs at DISPATCH_LEVEL on the processor the
 * disk interrupts (boot option ramdisk.cpu=N). The demo and the smpfs tests share it. */
#include <ntddk.h>
#include "demo.h"

NTSTATUS DemoReadFromDisk(PULONG RequesterProcessor, PULONG CompletionProcessor, PKIRQL CompletionIrql);
VOID DemoCompletionOnOtherProcessor(void);

typedef struct { KEVENT Done; ULONG Processor; KIRQL Irql; } DEMO_SMP_READ;

static NTSTATUS DemopSmpCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    DEMO_SMP_READ *r = Context;
    UNREFERENCED_PARAMETER(DeviceObject);
    r->Processor = KeGetCurrentProcessorNumberEx(NULL);
    r->Irql = KeGetCurrentIrql();
    KeSetEvent(&r->Done, IO_NO_INCREMENT, FALSE);
    UNREFERENCED_PARAMETER(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED; /* the IRP is ours: freed after the wait */
}

/* IRQL: PASSIVE_LEVEL. One 512-byte read of sector 0, straight to \Device\RamDisk0. */
NTSTATUS DemoReadFromDisk(PULONG RequesterProcessor, PULONG CompletionProcessor, PKIRQL CompletionIrql)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\RamDisk0");
    PFILE_OBJECT fo;
    PDEVICE_OBJECT dev;
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER offset = { .QuadPart = 0 };
    DEMO_SMP_READ r;
    NTSTATUS s = IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &fo, &dev);
    if (!NT_SUCCESS(s))
        return s;
    PVOID buf = ExAllocatePool2(POOL_FLAG_NON_PAGED, 512, 'pmSD');
    PIRP irp = buf ? IoBuildAsynchronousFsdRequest(IRP_MJ_READ, dev, buf, 512, &offset, &iosb) : NULL;
    if (!irp) {
        if (buf)
            ExFreePoolWithTag(buf, 'pmSD');
        ObDereferenceObject(fo);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    KeInitializeEvent(&r.Done, NotificationEvent, FALSE);
    r.Processor = ~0u;
    r.Irql = 0xFF;
    IoSetCompletionRoutine(irp, DemopSmpCompletion, &r, TRUE, TRUE, TRUE);
    *RequesterProcessor = KeGetCurrentProcessorNumberEx(NULL);
    IoCallDriver(dev, irp);
    KeWaitForSingleObject(&r.Done, Executive, KernelMode, FALSE, NULL);
    s = irp->IoStatus.Status;
    while (irp->MdlAddress) { /* the seeds' case 3: the builder's MDL is ours to release */
        PMDL m = irp->MdlAddress;
        irp->MdlAddress = m->Next;
        if (m->MdlFlags & MDL_PAGES_LOCKED)
            MmUnlockPages(m);
        IoFreeMdl(m);
    }
    IoFreeIrp(irp);
    ExFreePoolWithTag(buf, 'pmSD');
    ObDereferenceObject(fo);
    *CompletionProcessor = r.Processor;
    *CompletionIrql = r.Irql;
    return s;
}

/* For the demo: shows where the completion routine ran. */
VOID DemoCompletionOnOtherProcessor(void)
{
    ULONG req, done;
    KIRQL irql;
    if (KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS) < 2)
        return;
    /* The requester stays on processor 0, so with the disk's interrupt sent elsewhere
     * (make run passes ramdisk.cpu=1) the completion runs on another processor than the
     * one that called IoCallDriver; what is printed is what was measured. */
    KAFFINITY previous = KeSetSystemAffinityThreadEx(1);
    NTSTATUS s = DemoReadFromDisk(&req, &done, &irql);
    KeRevertToUserAffinityThreadEx(previous);
    if (NT_SUCCESS(s))
        DbgPrint("\n  %u processors. A read sent to the RAM disk from processor %u completed on processor %u: its\n"
                 "  completion routine ran there at IRQL %u, in the DPC of the disk's interrupt (ramdisk.cpu=N\n"
                 "  sends that interrupt to processor N).\n",
                 KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS), req, done, irql);
    else
        DbgPrint("\n  The read for the multiprocessor part failed: %s\n", DemoStatus(s));
}
