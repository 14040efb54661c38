/* tests/wdk/sioctl_tests.c - the sample IOCTL driver, driven as its test application would:
 * open \DosDevices\IoctlTest, one IOCTL per transfer method, probing, paging, unload. */
#include "wdkapp.h"
#include "../../drivers/samples/sioctl/sioctl.h"

static PDRIVER_OBJECT KtpSioctl;

static NTSTATUS KtpIoctl(HANDLE h, ULONG code, PVOID in, ULONG inLen, PVOID out, ULONG outLen, PULONG_PTR info)
{
    IO_STATUS_BLOCK iosb = { 0 };
    NTSTATUS st = ZwDeviceIoControlFile(h, NULL, NULL, NULL, &iosb, code, in, inLen, out, outLen);
    *info = iosb.Information;
    return st;
}

static HANDLE KtpOpenSample(void)
{
    HANDLE h = NULL;
    if (!KtpSioctl)
        KtpSioctl = KtwLoad(L"\\Driver\\SIoctl", WdkSample_sioctl_DriverEntry);
    if (!KtpSioctl || !NT_SUCCESS(KtwOpen(SIOCTL_DOS_NAME, &h)))
        return NULL;
    return h;
}

KTEST(wdk_ioctl, buffered_ioctl_through_the_dos_name_returns_the_driver_string)
{
    HANDLE h = KtpOpenSample();
    char in[] = "This String is from User Application; using METHOD_BUFFERED";
    char out[100];
    ULONG_PTR info;
    KT_ASSERT(h != NULL);
    RtlFillMemory(out, sizeof(out), 0xEE);
    KT_STATUS(KtpIoctl(h, IOCTL_SIOCTL_METHOD_BUFFERED, in, sizeof(in), out, sizeof(out), &info), STATUS_SUCCESS);
    KT_EQ(info, sizeof(SIOCTL_REPLY));
    KT_EQ(strcmp(out, SIOCTL_REPLY), 0);
    KT_EQ((UCHAR)out[sizeof(SIOCTL_REPLY)], 0xEE); /* only Information bytes came back */
    ZwClose(h);
}

KTEST(wdk_ioctl, in_direct_hands_the_second_buffer_to_the_driver_through_an_mdl)
{
    HANDLE h = KtpOpenSample();
    char in[] = "This String is from User Application; using METHOD_IN_DIRECT";
    char data[64] = "data for the device";
    ULONG_PTR info;
    KT_ASSERT(h != NULL);
    KT_STATUS(KtpIoctl(h, IOCTL_SIOCTL_METHOD_IN_DIRECT, in, sizeof(in), data, sizeof(data), &info), STATUS_SUCCESS);
    KT_EQ(info, sizeof(data)); /* the MDL's byte count */
    KT_EQ(strcmp(data, "data for the device"), 0);
    ZwClose(h);
}

KTEST(wdk_ioctl, out_direct_fills_the_output_buffer_through_an_mdl)
{
    HANDLE h = KtpOpenSample();
    char in[] = "This String is from User Application; using METHOD_OUT_DIRECT";
    char out[100] = { 0 };
    ULONG_PTR info;
    KT_ASSERT(h != NULL);
    KT_STATUS(KtpIoctl(h, IOCTL_SIOCTL_METHOD_OUT_DIRECT, in, sizeof(in), out, sizeof(out), &info), STATUS_SUCCESS);
    KT_EQ(info, sizeof(SIOCTL_REPLY));
    KT_EQ(strcmp(out, SIOCTL_REPLY), 0);
    ZwClose(h);
}

KTEST(wdk_ioctl, neither_from_kernel_mode_uses_the_callers_buffers)
{
    HANDLE h = KtpOpenSample();
    char in[] = "This String is from User Application; using METHOD_NEITHER";
    char out[100] = { 0 };
    ULONG_PTR info;
    KT_ASSERT(h != NULL);
    KT_STATUS(KtpIoctl(h, IOCTL_SIOCTL_METHOD_NEITHER, in, sizeof(in), out, sizeof(out), &info), STATUS_SUCCESS);
    KT_EQ(info, sizeof(SIOCTL_REPLY));
    KT_EQ(strcmp(out, SIOCTL_REPLY), 0);
    ZwClose(h);
}

/* A user-mode request (RequestorMode UserMode) makes the driver probe under __try. */
static NTSTATUS KtpUserNeither(PVOID In, ULONG InLen, PVOID Out, ULONG OutLen)
{
    UNICODE_STRING n = RTL_CONSTANT_STRING(SIOCTL_DOS_NAME);
    PFILE_OBJECT f;
    PDEVICE_OBJECT d;
    KEVENT ev;
    IO_STATUS_BLOCK iosb;
    NTSTATUS st = IoGetDeviceObjectPointer(&n, FILE_READ_DATA, &f, &d);
    if (!NT_SUCCESS(st))
        return st;
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(IOCTL_SIOCTL_METHOD_NEITHER, d, In, InLen, Out, OutLen, FALSE, &ev, &iosb);
    irp->RequestorMode = UserMode;
    IoGetNextIrpStackLocation(irp)->FileObject = f;
    st = IoCallDriver(d, irp);
    if (st == STATUS_PENDING) {
        KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL);
        st = iosb.Status;
    }
    ObDereferenceObject(f);
    return st;
}

KTEST(wdk_ioctl, neither_from_user_mode_with_bad_buffers_is_caught_by_the_drivers_except)
{
    char in[] = "user";
    HANDLE h = KtpOpenSample();
    KT_ASSERT(h != NULL);
    ZwClose(h);
    /* a kernel address is no user buffer: ProbeForRead raises, the driver's handler returns it */
    KT_STATUS(KtpUserNeither(in, sizeof(in), (PVOID)0x2000, 64), STATUS_ACCESS_VIOLATION);
    /* a user-range output buffer that is not mapped: ProbeForWrite's touch faults, the trap
     * path delivers the access violation to the driver's __except */
    KT_STATUS(KtpUserNeither((PVOID)0x3000, 16, (PVOID)0x1000, 64), STATUS_ACCESS_VIOLATION);
}

KTEST(wdk_ioctl, pageable_dispatch_code_is_paged_out_and_back_in)
{
    HANDLE h = KtpOpenSample();
    char in[] = "x", out[64];
    ULONG_PTR info;
    MM_PAGING_STATISTICS before, after;
    KT_ASSERT(h != NULL);
    PVOID dispatch = (PVOID)KtpSioctl->MajorFunction[IRP_MJ_DEVICE_CONTROL];
    KT_ASSERT((PCHAR)dispatch >= __pagetext_start && (PCHAR)dispatch < __pagetext_end);
    MmTrimPagedPool();
    KT_ASSERT(!MmIsAddressValid(dispatch));
    MmQueryPagingStatistics(&before);
    KT_STATUS(KtpIoctl(h, IOCTL_SIOCTL_METHOD_BUFFERED, in, sizeof(in), out, sizeof(out), &info), STATUS_SUCCESS);
    MmQueryPagingStatistics(&after);
    KT_ASSERT(after.PageIns > before.PageIns);
    ZwClose(h);
}

KTEST(wdk_ioctl, unload_removes_the_dos_name_and_the_device)
{
    HANDLE h = KtpOpenSample();
    KT_ASSERT(h != NULL);
    ZwClose(h);
    KT_STATUS(KtwUnload(KtpSioctl), STATUS_SUCCESS);
    KtpSioctl = NULL;
    KT_STATUS(KtwOpen(SIOCTL_DOS_NAME, &h), STATUS_OBJECT_NAME_NOT_FOUND);
    UNICODE_STRING dev = RTL_CONSTANT_STRING(SIOCTL_DEVICE_NAME);
    PVOID o;
    KT_STATUS(ObReferenceObjectByName(&dev, 0, NULL, 0, NULL, KernelMode, NULL, &o), STATUS_OBJECT_NAME_NOT_FOUND);
}

/* A pageable dispatch routine reached at DISPATCH_LEVEL after the trim (verifier=all trims on
 * every raise): the instruction fetch faults and the stop is 0x0A, P1 the routine's address,
 * P2 DISPATCH_LEVEL, P3 8 (execute), P4 the faulting instruction (the same address). */
KTEST_BUGCHECK(wdk_ioctl, pageable_dispatch_routine_run_at_dispatch_level_bugchecks, IRQL_NOT_LESS_OR_EQUAL)
{
    HANDLE h = KtpOpenSample();
    UNICODE_STRING n = RTL_CONSTANT_STRING(SIOCTL_DOS_NAME);
    PFILE_OBJECT f;
    PDEVICE_OBJECT d;
    KEVENT ev;
    IO_STATUS_BLOCK iosb;
    char in[] = "x", out[64];
    KIRQL old;
    ZwClose(h);
    IoGetDeviceObjectPointer(&n, FILE_READ_DATA, &f, &d);
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(IOCTL_SIOCTL_METHOD_BUFFERED, d, in, sizeof(in), out, sizeof(out), FALSE,
                                             &ev, &iosb);
    ULONG_PTR dispatch = (ULONG_PTR)KtpSioctl->MajorFunction[IRP_MJ_DEVICE_CONTROL];
    MmTrimPagedPool();
    KtExpectBugCheck(dispatch, DISPATCH_LEVEL, 8, dispatch);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    IoCallDriver(d, irp);
}
