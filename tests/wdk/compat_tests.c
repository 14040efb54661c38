/* tests/wdk/compat_tests.c - the WDK headers and helpers drivers lean on: ntstrsafe results,
 * GUIDs, macros, DbgPrint's %wZ, IoCreateDeviceSecure's SDDL, pool variants, event and timer
 * objects with handles. */
#include <wdm.h>
#include <ntifs.h>
#include <ntstrsafe.h>
#include <wdmsec.h>
#include <devioctl.h>
#include <string.h>
#include "../ktest.h"
#include <initguid.h>
DEFINE_GUID(KTP_GUID_A, 0x12345678, 0x9abc, 0xdef0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08);
DEFINE_GUID(KTP_GUID_B, 0x12345678, 0x9abc, 0xdef0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x09);

_IRQL_requires_max_(DISPATCH_LEVEL) _Must_inspect_result_ static NTSTATUS
KtpAnnotated(_In_reads_bytes_(Length) PVOID Buffer, _In_ ULONG Length, _Out_writes_bytes_opt_(4) PULONG Out,
             _Inout_opt_ PULONG Count)
{
    UNREFERENCED_PARAMETER(Buffer);
    if (Out)
        *Out = Length;
    if (Count)
        (*Count)++;
    return STATUS_SUCCESS;
}

KTEST(wdk_compat, ntstrsafe_copies_truncate_terminated_and_report_overflow)
{
    char a[8];
    WCHAR w[6];
    size_t n;
    KT_STATUS(RtlStringCbCopyA(a, sizeof(a), "hello"), STATUS_SUCCESS);
    KT_EQ(strcmp(a, "hello"), 0);
    KT_STATUS(RtlStringCbCopyA(a, sizeof(a), "too long a string"), STATUS_BUFFER_OVERFLOW);
    KT_EQ(strlen(a), 7); /* truncated, still terminated */
    KT_STATUS(RtlStringCbCopyA(a, 0, "x"), STATUS_INVALID_PARAMETER);
    KT_STATUS(RtlStringCchCopyW(w, ARRAYSIZE(w), L"abc"), STATUS_SUCCESS);
    KT_STATUS(RtlStringCbCatW(w, sizeof(w), L"de"), STATUS_SUCCESS);
    KT_STATUS(RtlStringCbCatW(w, sizeof(w), L"f"), STATUS_BUFFER_OVERFLOW);
    KT_STATUS(RtlStringCbLengthW(w, sizeof(w), &n), STATUS_SUCCESS);
    KT_EQ(n, 5 * sizeof(WCHAR));
    KT_STATUS(RtlStringCchLengthW(L"abcdef", 3, &n), STATUS_INVALID_PARAMETER); /* longer than allowed */
}

KTEST(wdk_compat, ntstrsafe_printf_wide_and_narrow_with_wz_and_ws)
{
    WCHAR w[40];
    char a[40];
    UNICODE_STRING u = RTL_CONSTANT_STRING(L"Dev");
    KT_STATUS(RtlStringCbPrintfW(w, sizeof(w), L"%s-%d-%wZ-%S", L"wide", 42, &u, "narrow"), STATUS_SUCCESS);
    UNICODE_STRING got, want = RTL_CONSTANT_STRING(L"wide-42-Dev-narrow");
    RtlInitUnicodeString(&got, w);
    KT_ASSERT(RtlEqualUnicodeString(&got, &want, FALSE));
    KT_STATUS(RtlStringCchPrintfW(w, 4, L"%u", 123456u), STATUS_BUFFER_OVERFLOW);
    KT_EQ(w[3], 0);
    KT_STATUS(RtlStringCbPrintfA(a, sizeof(a), "%ws=%wZ 0x%08X", L"name", &u, 0xBEEFu), STATUS_SUCCESS);
    KT_EQ(strcmp(a, "name=Dev 0x0000BEEF"), 0);
    /* DbgPrint takes %wZ and %ws without a format attribute getting in the way */
    DbgPrint("compat: %wZ %ws\n", &u, L"ok");
    KdPrint(("compat: KdPrint %d\n", 1));
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "compat: DbgPrintEx error level %s\n", "shown");
}

KTEST(wdk_compat, guids_defined_with_initguid_compare_by_value)
{
    GUID copy = KTP_GUID_A;
    KT_ASSERT(IsEqualGUID(&copy, &KTP_GUID_A));
    KT_ASSERT(!IsEqualGUID(&KTP_GUID_A, &KTP_GUID_B));
    KT_EQ(KTP_GUID_A.Data1, 0x12345678);
    KT_EQ(KTP_GUID_A.Data4[7], 0x08);
}

KTEST(wdk_compat, ddk_macros_compute_what_the_wdk_defines)
{
    ULONG flags = 0;
    KT_EQ(Int32x32To64(-3, 0x40000000), -0xC0000000LL);
    KT_EQ(UInt32x32To64(0xFFFFFFFFu, 2), 0x1FFFFFFFEULL);
    KT_EQ(MAXLONG, 0x7fffffff);
    KT_EQ(MAXULONG, 0xffffffffu);
    SetFlag(flags, 0x5);
    KT_ASSERT(FlagOn(flags, 0x4));
    ClearFlag(flags, 0x4);
    KT_EQ(flags, 1);
    KT_EQ(BYTE_OFFSET(0x12345), 0x345);
    KT_EQ((ULONG_PTR)PAGE_ALIGN(0x12345), 0x12000);
    KT_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x1FFF, 2), 2);
    KT_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(0x1000, 0x1000), 1);
    KT_EQ(CTL_CODE(0x22, 0x800, METHOD_NEITHER, FILE_ANY_ACCESS), 0x222003);
    KT_EQ(METHOD_FROM_CTL_CODE(0x222003), METHOD_NEITHER);
    ULONG out = 0, count = 0;
    KT_STATUS(KtpAnnotated(&out, 12, &out, &count), STATUS_SUCCESS);
    KT_EQ(out, 12);
    KT_EQ(count, 1);
    UCHAR b[4] = { 1, 2, 3, 4 };
    RtlZeroBytes(b, 2);
    KT_EQ(b[1], 0);
    KT_EQ(b[2], 3);
}

KTEST(wdk_compat, io_create_device_secure_accepts_device_sddl_and_refuses_other_strings)
{
    static const PCWSTR good[] = { SDDL_DEVOBJ_KERNEL_ONLY, SDDL_DEVOBJ_SYS_ALL_ADM_ALL,
                                   SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_RW_RES_R, L"D:P(A;;0x1F01FF;;;AU)" };
    static const PCWSTR bad[] = { L"", L"O:BAG:SY", L"D:P(A;;GA;;SY)", L"D:P(A;;ZZ;;;SY)", L"D:P(A;;GA;;;XX)",
                                  L"D:P(A;;GA;;;SY" };
    PDRIVER_OBJECT drv = NULL;
    UNICODE_STRING sddl;
    PVOID o;
    /* any driver object will do for the owner: borrow the first device's driver */
    UNICODE_STRING rd = RTL_CONSTANT_STRING(L"\\Device\\RamDisk0");
    KT_STATUS(ObReferenceObjectByName(&rd, 0, NULL, 0, NULL, KernelMode, NULL, &o), STATUS_SUCCESS);
    drv = ((PDEVICE_OBJECT)o)->DriverObject;
    ObDereferenceObject(o);
    for (ULONG i = 0; i < ARRAYSIZE(good); i++) {
        PDEVICE_OBJECT d = NULL;
        RtlInitUnicodeString(&sddl, good[i]);
        KT_STATUS(IoCreateDeviceSecure(drv, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &sddl, &KTP_GUID_A, &d),
                  STATUS_SUCCESS);
        IoDeleteDevice(d);
    }
    for (ULONG i = 0; i < ARRAYSIZE(bad); i++) {
        PDEVICE_OBJECT d = NULL;
        RtlInitUnicodeString(&sddl, bad[i]);
        KT_STATUS(IoCreateDeviceSecure(drv, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &sddl, NULL, &d),
                  STATUS_INVALID_PARAMETER);
    }
}

KTEST(wdk_compat, zeroing_and_quota_pool_variants)
{
    PUCHAR p = ExAllocatePoolZero(NonPagedPoolNx, 64, 'zpTK');
    KT_ASSERT(p != NULL);
    for (ULONG i = 0; i < 64; i++)
        KT_EQ(p[i], 0);
    ExFreePoolWithTag(p, 'zpTK');
    p = ExAllocatePoolQuotaZero(PagedPool, 32, 'qpTK');
    KT_ASSERT(p != NULL);
    KT_EQ(p[31], 0);
    ExFreePoolWithTag(p, 'qpTK');
    p = ExAllocatePoolWithQuotaTag((POOL_TYPE)(NonPagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE), 16, 'qpTK');
    KT_ASSERT(p != NULL);
    ExFreePoolWithTag(p, 'qpTK');
    ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
}

KTEST(wdk_compat, event_objects_by_handle_and_by_name)
{
    HANDLE h, h2;
    PKEVENT e;
    LONG prev;
    KT_STATUS(ZwCreateEvent(&h, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE), STATUS_SUCCESS);
    KT_STATUS(ObReferenceObjectByHandle(h, EVENT_MODIFY_STATE, *ExEventObjectType, KernelMode, (PVOID *)&e, NULL),
              STATUS_SUCCESS);
    KT_EQ(KeReadStateEvent(e), 0);
    KT_STATUS(ZwSetEvent(h, &prev), STATUS_SUCCESS);
    KT_EQ(prev, 0);
    KT_EQ(KeReadStateEvent(e), 1);
    LARGE_INTEGER zero = { .QuadPart = 0 };
    KT_STATUS(ZwWaitForSingleObject(h, FALSE, &zero), STATUS_SUCCESS);
    KT_STATUS(ZwClearEvent(h), STATUS_SUCCESS);
    KT_STATUS(ZwWaitForSingleObject(h, FALSE, &zero), STATUS_TIMEOUT);
    ObDereferenceObject(e);
    /* a handle of another type is refused */
    PVOID wrong;
    KT_STATUS(ObReferenceObjectByHandle(h, 0, *ExTimerObjectType, KernelMode, &wrong, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    ZwClose(h);
    /* named: the second create opens the same event */
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\BaseNamedObjects\\KtCompatEvent");
    PKEVENT n1 = IoCreateNotificationEvent(&name, &h);
    PKEVENT n2 = IoCreateNotificationEvent(&name, &h2);
    KT_ASSERT(n1 != NULL && n1 == n2);
    KT_EQ(KeReadStateEvent(n1), 1); /* a new notification event starts signalled */
    ZwClose(h);
    ZwClose(h2);
    PKEVENT s = IoCreateSynchronizationEvent(&name, &h); /* the name went with its last handle */
    KT_ASSERT(s != NULL);
    KT_EQ(KeReadStateEvent(s), 0);
    ZwClose(h);
}

static VOID KtpTimerApc(PVOID Context, ULONG Low, LONG High)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Low);
    UNREFERENCED_PARAMETER(High);
}

KTEST(wdk_compat, timer_objects_by_handle_signal_when_due_and_cancel)
{
    HANDLE h;
    BOOLEAN state = TRUE;
    LARGE_INTEGER due = { .QuadPart = -5 * 10000 }, zero = { .QuadPart = 0 };
    KT_STATUS(ZwCreateTimer(&h, TIMER_ALL_ACCESS, NULL, NotificationTimer), STATUS_SUCCESS);
    KT_STATUS(ZwSetTimer(h, &due, NULL, NULL, FALSE, 0, &state), STATUS_SUCCESS);
    KT_EQ(state, FALSE);
    KT_STATUS(ZwWaitForSingleObject(h, FALSE, &zero), STATUS_TIMEOUT);
    LARGE_INTEGER longer = { .QuadPart = -1000 * 10000 };
    KT_STATUS(ZwWaitForSingleObject(h, FALSE, &longer), STATUS_SUCCESS); /* it fired */
    LARGE_INTEGER far = { .QuadPart = -10000 * 10000LL };
    KT_STATUS(ZwSetTimer(h, &far, NULL, NULL, FALSE, 0, NULL), STATUS_SUCCESS);
    KT_STATUS(ZwCancelTimer(h, &state), STATUS_SUCCESS);
    KT_EQ(state, FALSE);
    KT_STATUS(ZwSetTimer(h, &far, KtpTimerApc, NULL, FALSE, 0, NULL), STATUS_NOT_SUPPORTED);
    ZwClose(h); /* closing a set timer cancels it: the object is freed off the timer list */
}
