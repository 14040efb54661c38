/* tests/io/verifier_tests.c - every I/O rule the verifier enforces ends in Windows' bug
 * check with Windows' parameters (IRQLab's own codes for the oplock, context, unload and
 * PASSIVE-only rules, documented in wdm/io.h). Each test boots alone. */
#include "kt_io.h"

static PIRP KtpIrpFor(PDEVICE_OBJECT Top, UCHAR Major)
{
    PIRP irp = IoAllocateIrp(Top->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = Major;
    return irp;
}

KTEST_BUGCHECK(iov, double_completion, MULTIPLE_IRP_COMPLETE_REQUESTS)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    PIRP irp = KtpIrpFor(d, IRP_MJ_READ);
    IoCallDriver(d, irp); /* completed by the device */
    KtExpectBugCheck((ULONG_PTR)irp, 0, 0, 0);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

KTEST_EX(iov, double_completion_without_verifier, MULTIPLE_IRP_COMPLETE_REQUESTS, "verifier=none")
{
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    PIRP irp = KtpIrpFor(d, IRP_MJ_READ);
    IoCallDriver(d, irp);
    KtExpectBugCheck((ULONG_PTR)irp, 0, 0, 0);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

KTEST_BUGCHECK(iov, out_of_stack_locations, NO_MORE_IRP_STACK_LOCATIONS)
{
    PDEVICE_OBJECT d[3];
    KtIoBuildStack(3, d);
    KtExt(d[1])->SetRoutine = FALSE; /* copies down, then the I/O manager catches it */
    PIRP irp = IoAllocateIrp(2, FALSE); /* one short */
    KtExpectBugCheck((ULONG_PTR)irp, 0, 0, 0);
    IoCallDriver(d[2], irp);
}

KTEST_BUGCHECK(iov, complete_with_status_pending, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    KtExt(d)->CompleteStatus = STATUS_PENDING;
    PIRP irp = KtpIrpFor(d, IRP_MJ_READ);
    KtExpectBugCheck(0x06, STATUS_PENDING, (ULONG_PTR)irp, 0);
    IoCallDriver(d, irp);
}

static VOID KtpNeverCalledCancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
}

KTEST_BUGCHECK(iov, complete_with_cancel_routine_set, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetNextIrpStackLocation(irp);
    IoSetCancelRoutine(irp, KtpNeverCalledCancel);
    KtExpectBugCheck(0x07, (ULONG_PTR)KtpNeverCalledCancel, (ULONG_PTR)irp, 0);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

KTEST_BUGCHECK(iov, complete_above_dispatch_level, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetNextIrpStackLocation(irp);
    KIRQL old;
    KeRaiseIrql(5, &old);
    KtExpectBugCheck(0x0E, 5, (ULONG_PTR)irp, 0);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

KTEST_BUGCHECK(iov, call_driver_above_dispatch_level, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    PIRP irp = KtpIrpFor(d, IRP_MJ_READ);
    KIRQL old;
    KeRaiseIrql(CLOCK_LEVEL, &old);
    KtExpectBugCheck(0x10, CLOCK_LEVEL, 0, 0);
    IoCallDriver(d, irp);
}

static NTSTATUS KtpRaisingDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    KIRQL old;
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    KeRaiseIrql(DISPATCH_LEVEL, &old); /* and forgets to lower it */
    return STATUS_SUCCESS;
}

KTEST_BUGCHECK(iov, irql_changed_across_dispatch, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PDEVICE_OBJECT d = KtIoCreateDeviceFor(KtIoCreateDriver(L"\\Driver\\KtRaise", KtpRaisingDispatch));
    PIRP irp = KtpIrpFor(d, IRP_MJ_READ);
    KtExpectBugCheck(0x05, (ULONG_PTR)d, PASSIVE_LEVEL, DISPATCH_LEVEL);
    IoCallDriver(d, irp);
}

KTEST_BUGCHECK(iov, returned_pending_without_marking, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    KtExt(d)->PendNoMark = TRUE;
    PIRP irp = KtpIrpFor(d, IRP_MJ_READ);
    KtExpectBugCheck(0x23D, (ULONG_PTR)d->DriverObject->MajorFunction[IRP_MJ_READ], (ULONG_PTR)irp, (ULONG_PTR)d);
    IoCallDriver(d, irp);
}

KTEST_BUGCHECK(iov, marked_pending_but_returned_other_status, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    KtExt(d)->MarkNoPend = TRUE;
    PIRP irp = KtpIrpFor(d, IRP_MJ_READ);
    KtExpectBugCheck(0x23E, (ULONG_PTR)d->DriverObject->MajorFunction[IRP_MJ_READ], (ULONG_PTR)irp, (ULONG_PTR)d);
    IoCallDriver(d, irp);
}

KTEST_BUGCHECK(iov, completion_routine_did_not_mark_pending, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PDEVICE_OBJECT d[2];
    KtIoBuildStack(2, d);
    KtExt(d[1])->MarkInRoutine = FALSE;
    KtExt(d[0])->Pend = TRUE;
    PIRP irp = KtpIrpFor(d[1], IRP_MJ_READ);
    KtExpectBugCheck(0x228, (ULONG_PTR)KtIoFilterCompletion, (ULONG_PTR)irp, (ULONG_PTR)d[1]);
    IoCallDriver(d[1], irp);
}

/* PAGE, as #pragma alloc_text(PAGE, ...) names it (the linker's .text.* rule claims
 * .text.page.* first, so the plain name is the one that lands in .pagetext). */
__attribute__((section("PAGE"), noinline)) static NTSTATUS
KtpPageableCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    UNREFERENCED_PARAMETER(Context);
    return STATUS_SUCCESS;
}

KTEST_BUGCHECK(iov, completion_routine_in_pageable_code, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    PIRP irp = KtpIrpFor(d, IRP_MJ_READ);
    KT_ASSERT(MmIsAddressPageable((PVOID)KtpPageableCompletion));
    IoSetCompletionRoutine(irp, KtpPageableCompletion, NULL, TRUE, TRUE, TRUE);
    KtExpectBugCheck(0x227, (ULONG_PTR)KtpPageableCompletion, (ULONG_PTR)irp, 0);
    IoCallDriver(d, irp);
}

/* Pageable memory other than code does not exist until the pager's paged pool does: the
 * context points into the PAGE section, which is pageable all the same. */
#define KtpPageableContext (*(const UCHAR *)((PUCHAR)KtpPageableCompletion + 1))

KTEST_BUGCHECK(iov, completion_context_in_pageable_memory, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PDEVICE_OBJECT d[2];
    KtIoBuildStack(2, d);
    PIRP irp = KtpIrpFor(d[1], IRP_MJ_READ);
    KT_ASSERT(MmIsAddressPageable((PVOID)&KtpPageableContext));
    IoSetCompletionRoutine(irp, KtIoFilterCompletion, (PVOID)&KtpPageableContext, TRUE, TRUE, TRUE);
    KtExpectBugCheck(IOV_PAGEABLE_COMPLETION_CONTEXT, (ULONG_PTR)KtIoFilterCompletion, (ULONG_PTR)irp,
                     (ULONG_PTR)&KtpPageableContext);
    IoCallDriver(d[1], irp);
}

KTEST_BUGCHECK(iov, free_irp_still_in_use, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    KtExt(d)->Pend = KtExt(d)->Cancelable = TRUE; /* the device holds it */
    PIRP irp = KtpIrpFor(d, IRP_MJ_READ);
    KT_STATUS(IoCallDriver(d, irp), STATUS_PENDING);
    KtExpectBugCheck(0x20A, KT_ANY, (ULONG_PTR)irp, (ULONG_PTR)d);
    IoSetCancelRoutine(irp, NULL);
    IoFreeIrp(irp);
}

KTEST_BUGCHECK(iov, free_of_a_non_irp, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PULONG64 junk = ExAllocatePool2(POOL_FLAG_NON_PAGED, 256, 'knuJ');
    KtExpectBugCheck(0x01, (ULONG_PTR)junk, 0, 0);
    IoFreeIrp((PIRP)junk);
}

static PIRP KtpOplockIrp(PDEVICE_OBJECT Top)
{
    PIRP irp = KtpIrpFor(Top, IRP_MJ_FILE_SYSTEM_CONTROL);
    IoGetNextIrpStackLocation(irp)->Parameters.FileSystemControl.FsControlCode = FSCTL_REQUEST_OPLOCK_LEVEL_1;
    return irp;
}

KTEST_BUGCHECK(iov, more_processing_for_oplock_request, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PDEVICE_OBJECT d[2];
    KtIoBuildStack(2, d);
    KtExt(d[1])->RoutineReturn = STATUS_MORE_PROCESSING_REQUIRED;
    PIRP irp = KtpOplockIrp(d[1]);
    KtExpectBugCheck(IOV_OPLOCK_MORE_PROCESSING, (ULONG_PTR)KtIoFilterCompletion, (ULONG_PTR)irp, (ULONG_PTR)d[1]);
    IoCallDriver(d[1], irp);
}

KTEST_BUGCHECK(iov, oplock_request_pended, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    KtExt(d)->Pend = KtExt(d)->Cancelable = TRUE;
    PIRP irp = KtpOplockIrp(d);
    KtExpectBugCheck(IOV_OPLOCK_PENDED, (ULONG_PTR)d->DriverObject->MajorFunction[IRP_MJ_FILE_SYSTEM_CONTROL],
                     (ULONG_PTR)irp, (ULONG_PTR)d);
    IoCallDriver(d, irp);
}

KTEST_BUGCHECK(iov, delete_device_at_dispatch_level_is_rule_irql_io_apc_lte, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    /* DDI compliance rule IrqlIoApcLte: P1 0x20009, P2 the rule's condition text, P3 its state. */
    KtExpectBugCheck(0x00020009, (ULONG_PTR)VfLookupDdiRule(0x00020009)->Condition, (ULONG_PTR)&VfDdiViolation, 0);
    IoDeleteDevice(d);
}

static NTSTATUS KtpQueryNameCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UCHAR buf[64];
    ULONG len;
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    ObQueryNameString(Context, (POBJECT_NAME_INFORMATION)buf, sizeof(buf), &len);
    return STATUS_SUCCESS;
}

KTEST_BUGCHECK(iov, query_name_in_completion_routine_at_dispatch_is_irqlab_1110, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(L"\\Device\\KtNamedQ", 0);
    KtExt(d)->Pend = TRUE; /* completes from the DPC */
    PIRP irp = KtpIrpFor(d, IRP_MJ_READ);
    IoSetCompletionRoutine(irp, KtpQueryNameCompletion, d, TRUE, TRUE, TRUE);
    /* Windows has no DDI rule for ObQueryNameString (IRQL <= APC_LEVEL): IRQLab's 0x1110. */
    KtExpectBugCheck(IOV_ROUTINE_OUTSIDE_IRQL, DISPATCH_LEVEL, (ULONG_PTR)VfDdiRoutines[VfDdi_ObQueryNameString].Name, 0);
    IoCallDriver(d, irp);
}

static VOID KtpForgetfulUnload(PDRIVER_OBJECT DriverObject) { UNREFERENCED_PARAMETER(DriverObject); }
static NTSTATUS KtpForgetfulEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PDEVICE_OBJECT d;
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverUnload = KtpForgetfulUnload;
    return IoCreateDevice(DriverObject, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &d);
}

KTEST_BUGCHECK(iov, unload_with_devices_left, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    UNICODE_STRING n = RTL_CONSTANT_STRING(L"\\Driver\\KtForgetful");
    PDRIVER_OBJECT drv;
    KT_STATUS(IoCreateDriver(&n, KtpForgetfulEntry), STATUS_SUCCESS);
    ObReferenceObjectByName(&n, 0, NULL, 0, *IoDriverObjectType, KernelMode, NULL, (PVOID *)&drv);
    KtExpectBugCheck(IOV_UNLOAD_WITH_DEVICES, (ULONG_PTR)drv, (ULONG_PTR)drv->DeviceObject, 0);
    IoUnloadDriver(drv);
}

KTEST_BUGCHECK(iov, delete_device_still_attached, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PDEVICE_OBJECT d[2];
    KtIoBuildStack(2, d);
    KtExpectBugCheck(0x201, KT_ANY, 0, (ULONG_PTR)d[1]);
    IoDeleteDevice(d[1]);
}

KTEST_BUGCHECK(iov, detach_twice, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PDEVICE_OBJECT d[2];
    KtIoBuildStack(2, d);
    IoDetachDevice(d[0]);
    KtExpectBugCheck(0x202, KT_ANY, 0, (ULONG_PTR)d[0]);
    IoDetachDevice(d[0]);
}

KTEST_BUGCHECK(iov, cancel_routine_on_completed_irp, CANCEL_STATE_IN_COMPLETED_IRP)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    PIRP irp = KtpIrpFor(d, IRP_MJ_READ);
    IoCallDriver(d, irp); /* completed */
    IoSetCancelRoutine(irp, KtpNeverCalledCancel);
    KtExpectBugCheck((ULONG_PTR)irp, (ULONG_PTR)KtpNeverCalledCancel, 0, 0);
    IoCancelIrp(irp);
}
