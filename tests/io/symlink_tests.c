/* tests/io/symlink_tests.c - symbolic links and \DosDevices: a device opened through its link
 * gets the create; links chain; deleting a link makes the name unknown again. */
#include "kt_io.h"

static NTSTATUS KtpOpenName(PCWSTR Name, PHANDLE Handle)
{
    UNICODE_STRING n;
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    RtlInitUnicodeString(&n, Name);
    InitializeObjectAttributes(&oa, &n, OBJ_KERNEL_HANDLE, NULL, NULL);
    return ZwCreateFile(Handle, SYNCHRONIZE, &oa, &iosb, NULL, 0, 0, FILE_OPEN, 0, NULL, 0);
}

KTEST(symlink, open_through_dos_devices_and_question_mark_names_reaches_the_device)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(L"\\Device\\KtSymTarget", 0);
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\DosDevices\\KtSym");
    UNICODE_STRING target = RTL_CONSTANT_STRING(L"\\Device\\KtSymTarget");
    HANDLE h;
    KT_STATUS(IoCreateSymbolicLink(&link, &target), STATUS_SUCCESS);
    ULONG creates = KtExt(d)->Creates;
    KT_STATUS(KtpOpenName(L"\\DosDevices\\KtSym", &h), STATUS_SUCCESS);
    ZwClose(h);
    KT_STATUS(KtpOpenName(L"\\??\\KtSym", &h), STATUS_SUCCESS); /* the same name, spelled \?? */
    ZwClose(h);
    KT_STATUS(KtpOpenName(L"\\GLOBAL??\\KtSym", &h), STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ(KtExt(d)->Creates, creates + 3);
    /* IoGetDeviceObjectPointer follows the link too */
    PFILE_OBJECT f;
    PDEVICE_OBJECT got;
    UNICODE_STRING viaLink = RTL_CONSTANT_STRING(L"\\??\\KtSym");
    KT_STATUS(IoGetDeviceObjectPointer(&viaLink, FILE_READ_DATA, &f, &got), STATUS_SUCCESS);
    KT_ASSERT(got == d);
    ObDereferenceObject(f);
    KT_STATUS(IoDeleteSymbolicLink(&link), STATUS_SUCCESS);
    KT_STATUS(KtpOpenName(L"\\DosDevices\\KtSym", &h), STATUS_OBJECT_NAME_NOT_FOUND);
    IoDeleteDevice(d);
}

KTEST(symlink, duplicate_and_missing_links_are_refused)
{
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\DosDevices\\KtSymDup");
    UNICODE_STRING same = RTL_CONSTANT_STRING(L"\\??\\KtSymDup");
    UNICODE_STRING target = RTL_CONSTANT_STRING(L"\\Device\\Nowhere");
    HANDLE h;
    KT_STATUS(IoCreateSymbolicLink(&link, &target), STATUS_SUCCESS);
    KT_STATUS(IoCreateUnprotectedSymbolicLink(&same, &target), STATUS_OBJECT_NAME_COLLISION);
    /* a link to nothing: the open fails as for the target name */
    KT_STATUS(KtpOpenName(L"\\??\\KtSymDup", &h), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_STATUS(IoDeleteSymbolicLink(&same), STATUS_SUCCESS);
    KT_STATUS(IoDeleteSymbolicLink(&same), STATUS_OBJECT_NAME_NOT_FOUND);
}

KTEST(symlink, links_chain_and_keep_the_rest_of_the_path)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(L"\\Device\\KtSymChain", 0);
    UNICODE_STRING a = RTL_CONSTANT_STRING(L"\\??\\KtSymA"), b = RTL_CONSTANT_STRING(L"\\??\\KtSymB");
    UNICODE_STRING dev = RTL_CONSTANT_STRING(L"\\Device\\KtSymChain"), toB = RTL_CONSTANT_STRING(L"\\DosDevices\\KtSymB");
    HANDLE h;
    KT_STATUS(IoCreateSymbolicLink(&b, &dev), STATUS_SUCCESS);
    KT_STATUS(IoCreateSymbolicLink(&a, &toB), STATUS_SUCCESS);
    ULONG creates = KtExt(d)->Creates;
    KT_STATUS(KtpOpenName(L"\\??\\KtSymA", &h), STATUS_SUCCESS);
    ZwClose(h);
    KT_EQ(KtExt(d)->Creates, creates + 1);
    IoDeleteSymbolicLink(&a);
    IoDeleteSymbolicLink(&b);
    IoDeleteDevice(d);
}

KTEST_BUGCHECK(symlink, create_symbolic_link_at_dispatch_is_rule_irql_io_passive4, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\??\\KtSymHigh"), target = RTL_CONSTANT_STRING(L"\\Device\\X");
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KtExpectBugCheck(0x0002000D, (ULONG_PTR)VfLookupDdiRule(0x0002000D)->Condition, (ULONG_PTR)&VfDdiViolation, 0);
    IoCreateSymbolicLink(&link, &target);
}
