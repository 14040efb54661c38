/* tests/io/irp_tests.c - IRP layout and life cycle, IoCallDriver, own-IRP patterns, the
 * final-completion matrix, associated IRPs, cancel races, IoSetCompletionRoutineEx, trace. */
#include "kt_io.h"

KTEST(irp, layout_follows_wdm)
{
    PIRP irp = IoAllocateIrp(3, FALSE);
    KT_ASSERT(irp);
    KT_EQ(irp->Type, IO_TYPE_IRP);
    /* With Verifier off the IRP comes from the lookaside list and is the list's size, as on
     * Windows (a packet for more locations than asked); StackCount is what was asked. */
    if (KiVerifierOn(VERIFIER_IO_CHECKING))
        KT_EQ(irp->Size, IoSizeOfIrp(3));
    else
        KT_ASSERT(irp->Size >= IoSizeOfIrp(3));
    KT_EQ(IoSizeOfIrp(3), sizeof(IRP) + 3 * sizeof(IO_STACK_LOCATION));
    KT_EQ(irp->StackCount, 3);
    KT_EQ(irp->CurrentLocation, 4);
    KT_EQ(IoGetCurrentIrpStackLocation(irp), (PIO_STACK_LOCATION)(irp + 1) + 3);
    KT_EQ(IoGetNextIrpStackLocation(irp), (PIO_STACK_LOCATION)(irp + 1) + 2);
    KT_EQ(MmIsAddressPageable(irp), FALSE);
    IoFreeIrp(irp);
    KT_EQ(IoAllocateIrp(0, FALSE), NULL);
}

KTEST(irp, call_driver_moves_down_one_location)
{
    PDEVICE_OBJECT d[2];
    KtIoBuildStack(2, d);
    KtExt(d[0])->Pend = TRUE;
    KtExt(d[0])->Cancelable = TRUE; /* hold it so the locations can be inspected */
    KT_EQ(d[1]->StackSize, 2);
    PIRP irp = IoAllocateIrp(2, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_READ;
    KT_STATUS(IoCallDriver(d[1], irp), STATUS_PENDING);
    KT_EQ(irp->CurrentLocation, 1);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    KT_EQ(sp, (PIO_STACK_LOCATION)(irp + 1));
    KT_EQ(sp->DeviceObject, d[0]);
    KT_EQ(sp->MajorFunction, IRP_MJ_READ); /* copied down by the filter */
    KT_EQ((sp + 1)->DeviceObject, d[1]);
    KT_EQ(sp->Control & SL_PENDING_RETURNED, SL_PENDING_RETURNED);
    KT_ASSERT(IoCancelIrp(irp));
    KT_STATUS(irp->IoStatus.Status, STATUS_CANCELLED);
    KT_EQ(irp->CurrentLocation, 4); /* past the top: completed */
    IoFreeIrp(irp);
    KtIoDestroyStack(2, d);
}

KTEST(irp, skip_location_reuses_it_for_the_lower_driver)
{
    PDEVICE_OBJECT d[2];
    KtIoBuildStack(2, d);
    KtExt(d[1])->Skip = TRUE;
    KtExt(d[0])->Pend = KtExt(d[0])->Cancelable = TRUE;
    PIRP irp = IoAllocateIrp(2, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_WRITE;
    KT_STATUS(IoCallDriver(d[1], irp), STATUS_PENDING);
    KT_EQ(irp->CurrentLocation, 2);
    KT_EQ(IoGetCurrentIrpStackLocation(irp)->DeviceObject, d[0]);
    KT_ASSERT(IoCancelIrp(irp));
    IoFreeIrp(irp);
    KtIoDestroyStack(2, d);
}

static NTSTATUS KtpEmptyEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    return RegistryPath && RegistryPath->Length ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}

static PDRIVER_OBJECT KtpLookupDriver(PCWSTR Name)
{
    UNICODE_STRING n;
    PDRIVER_OBJECT d = NULL;
    RtlInitUnicodeString(&n, Name);
    if (NT_SUCCESS(ObReferenceObjectByName(&n, 0, NULL, 0, *IoDriverObjectType, KernelMode, NULL, (PVOID *)&d)))
        ObDereferenceObject(d);
    return d;
}

KTEST(irp, default_major_function_fails_invalid_device_request)
{
    UNICODE_STRING n = RTL_CONSTANT_STRING(L"\\Driver\\KtEmpty");
    KT_STATUS(IoCreateDriver(&n, KtpEmptyEntry), STATUS_SUCCESS);
    PDRIVER_OBJECT drv = KtpLookupDriver(L"\\Driver\\KtEmpty");
    KT_ASSERT(drv);
    KT_EQ(drv->Type, IO_TYPE_DRIVER);
    KT_ASSERT(drv->DriverExtension && drv->DriverExtension->DriverObject == drv);
    PDEVICE_OBJECT dev = KtIoCreateDeviceFor(drv);
    IO_STATUS_BLOCK iosb = { .Status = 0x1234 };
    PIRP irp = IoBuildAsynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, dev, NULL, 0, NULL, &iosb);
    KT_STATUS(IoCallDriver(dev, irp), STATUS_INVALID_DEVICE_REQUEST);
    KT_STATUS(irp->IoStatus.Status, STATUS_INVALID_DEVICE_REQUEST);
    KT_EQ(iosb.Status, 0x1234); /* failed synchronously: the IOSB is untouched */
    IoFreeIrp(irp);
    IoDeleteDevice(dev);
}

/* Pattern 3: the driver built the IRP, frees it in its completion routine, and returns
 * STATUS_MORE_PROCESSING_REQUIRED. */
static volatile ULONG KtpFreedInRoutine;
static NTSTATUS KtpFreeingCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KtpFreedInRoutine = DeviceObject == NULL ? 1 : 2;
    if (Irp->MdlAddress) {
        MmUnlockPages(Irp->MdlAddress);
        IoFreeMdl(Irp->MdlAddress);
        Irp->MdlAddress = NULL;
    }
    if (Irp->Flags & IRP_DEALLOCATE_BUFFER)
        ExFreePool(Irp->AssociatedIrp.SystemBuffer);
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

KTEST(irp, pattern_own_irp_freed_in_completion_routine)
{
    PDEVICE_OBJECT d[2];
    KtIoBuildStack(2, d);
    KtExt(d[0])->Pend = TRUE;
    d[0]->Flags |= DO_DIRECT_IO;
    d[1]->Flags |= DO_DIRECT_IO; /* a filter copies its lower device's I/O method */
    UCHAR *buf = ExAllocatePoolWithTag(NonPagedPool, 64, 'tseT');
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER off = { .QuadPart = 0 };
    /* IoBuildAsynchronousFsdRequest, pended and completed from the DPC */
    KtpFreedInRoutine = 0;
    PIRP irp = IoBuildAsynchronousFsdRequest(IRP_MJ_READ, d[1], buf, 64, &off, &iosb);
    KT_ASSERT(irp && irp->MdlAddress && (irp->MdlAddress->MdlFlags & MDL_PAGES_LOCKED));
    IoSetCompletionRoutine(irp, KtpFreeingCompletion, NULL, TRUE, TRUE, TRUE);
    KT_STATUS(IoCallDriver(d[1], irp), STATUS_PENDING);
    KT_EQ(KtpFreedInRoutine, 1);
    for (ULONG i = 0; i < 64; i++)
        KT_EQ(buf[i], (UCHAR)i); /* written through the MDL's system address */
    /* IoAllocateIrp, completed synchronously */
    KtExt(d[0])->Pend = FALSE;
    KtpFreedInRoutine = 0;
    irp = IoAllocateIrp(d[1]->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_FLUSH_BUFFERS;
    IoSetCompletionRoutine(irp, KtpFreeingCompletion, NULL, TRUE, TRUE, TRUE);
    KT_STATUS(IoCallDriver(d[1], irp), STATUS_SUCCESS);
    KT_EQ(KtpFreedInRoutine, 1);
    ExFreePool(buf);
    KtIoDestroyStack(2, d);
}

/* The final completion matrix: IOSB written / event set, for success, warning, error and
 * (error) pended, with an I/O-manager-owned IRP from IoBuildSynchronousFsdRequest. */
static VOID KtpMatrixCase(NTSTATUS Status, BOOLEAN Pend, BOOLEAN *IosbWritten, BOOLEAN *EventSet, NTSTATUS *Returned)
{
    PDEVICE_OBJECT dev = KtIoCreateDevice(NULL, 0);
    KEVENT event;
    IO_STATUS_BLOCK iosb = { .Status = 0x5A5A, .Information = 0x77 };
    KtExt(dev)->CompleteStatus = Status;
    KtExt(dev)->Information = 9;
    KtExt(dev)->Pend = Pend;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, dev, NULL, 0, NULL, &event, &iosb);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    *Returned = IoCallDriver(dev, irp);
    KeLowerIrql(old); /* a pended one completes from the DPC here; the I/O manager frees it */
    *IosbWritten = iosb.Status == Status && iosb.Information == 9;
    *EventSet = KeReadStateEvent(&event) != 0;
    IoDeleteDevice(dev);
}

KTEST(irp, final_completion_matrix_matches_windows)
{
    BOOLEAN w, e;
    NTSTATUS r;
    KtpMatrixCase(STATUS_SUCCESS, FALSE, &w, &e, &r);
    KT_ASSERT(w && e);
    KT_STATUS(r, STATUS_SUCCESS);
    KtpMatrixCase(STATUS_BUFFER_OVERFLOW, FALSE, &w, &e, &r); /* warning */
    KT_ASSERT(w && e);
    KtpMatrixCase(STATUS_UNSUCCESSFUL, FALSE, &w, &e, &r); /* synchronous error: untouched */
    KT_ASSERT(!w && !e);
    KT_STATUS(r, STATUS_UNSUCCESSFUL);
    KtpMatrixCase(STATUS_SUCCESS, TRUE, &w, &e, &r);
    KT_ASSERT(w && e);
    KT_STATUS(r, STATUS_PENDING);
    KtpMatrixCase(STATUS_UNSUCCESSFUL, TRUE, &w, &e, &r); /* pended error: reported */
    KT_ASSERT(w && e);
    KT_STATUS(r, STATUS_PENDING);
}

static NTSTATUS KtpMasterCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    (*(volatile ULONG *)Context)++;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

KTEST(irp, associated_irps_complete_their_master)
{
    PDEVICE_OBJECT dev = KtIoCreateDevice(NULL, 0);
    volatile ULONG masterDone = 0;
    KtExt(dev)->Pend = TRUE;
    /* the master as a splitting driver holds it: its location is current, with the
     * completion routine of the driver above it */
    PIRP master = IoAllocateIrp(2, FALSE);
    IoSetCompletionRoutine(master, KtpMasterCompletion, (PVOID)&masterDone, TRUE, TRUE, TRUE);
    IoSetNextIrpStackLocation(master);
    master->AssociatedIrp.IrpCount = 3;
    master->IoStatus.Status = STATUS_SUCCESS;
    for (ULONG i = 0; i < 3; i++) {
        PIRP a = IoMakeAssociatedIrp(master, dev->StackSize);
        KT_ASSERT(a && (a->Flags & IRP_ASSOCIATED_IRP) && a->AssociatedIrp.MasterIrp == master);
        IoGetNextIrpStackLocation(a)->MajorFunction = IRP_MJ_READ;
        KtExt(dev)->Pend = TRUE;
        KT_STATUS(IoCallDriver(dev, a), STATUS_PENDING); /* completes from the DPC at once */
        KT_EQ(masterDone, (i == 2 ? 1 : 0));
        KT_EQ(master->AssociatedIrp.IrpCount, 2 - i);
    }
    KT_EQ(masterDone, 1);
    IoFreeIrp(master);
    IoDeleteDevice(dev);
}

KTEST(irp, reuse_makes_a_completed_irp_new)
{
    PDEVICE_OBJECT dev = KtIoCreateDevice(NULL, 0);
    PIRP irp = IoAllocateIrp(dev->StackSize, FALSE);
    volatile ULONG done = 0;
    for (ULONG round = 0; round < 3; round++) {
        IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_FLUSH_BUFFERS;
        IoSetCompletionRoutine(irp, KtpMasterCompletion, (PVOID)&done, TRUE, TRUE, TRUE);
        KT_STATUS(IoCallDriver(dev, irp), STATUS_SUCCESS);
        KT_EQ(done, round + 1);
        KT_EQ(irp->CurrentLocation, 2);
        IoReuseIrp(irp, STATUS_NOT_SUPPORTED);
        KT_EQ(irp->CurrentLocation, 2);
        KT_STATUS(irp->IoStatus.Status, STATUS_NOT_SUPPORTED);
        KT_EQ(irp->Cancel, FALSE);
    }
    IoFreeIrp(irp);
    IoDeleteDevice(dev);
}
