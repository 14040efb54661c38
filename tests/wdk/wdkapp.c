/* tests/wdk/wdkapp.c - the test applications' plumbing (see wdkapp.h). */
#include "wdkapp.h"

PDRIVER_OBJECT KtwLoad(PCWSTR DriverName, PDRIVER_INITIALIZE Entry)
{
    UNICODE_STRING name;
    PVOID drv = NULL;
    RtlInitUnicodeString(&name, DriverName);
    if (!NT_SUCCESS(IoCreateDriver(&name, Entry)))
        return NULL;
    if (!NT_SUCCESS(ObReferenceObjectByName(&name, 0, NULL, 0, *IoDriverObjectType, KernelMode, NULL, &drv)))
        return NULL;
    return drv;
}

NTSTATUS KtwUnload(PDRIVER_OBJECT Driver)
{
    NTSTATUS st = IoUnloadDriver(Driver);
    ObDereferenceObject(Driver);
    return st;
}

NTSTATUS KtwOpen(PCWSTR Name, PHANDLE Handle)
{
    UNICODE_STRING n;
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    RtlInitUnicodeString(&n, Name);
    InitializeObjectAttributes(&oa, &n, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    return ZwCreateFile(Handle, GENERIC_READ | GENERIC_WRITE, &oa, &iosb, NULL, 0, 0, FILE_OPEN, 0, NULL, 0);
}

static VOID KtwSend(HANDLE Handle, KTW_REQUEST *Request, PIRP (*Build)(PDEVICE_OBJECT, KTW_REQUEST *, PVOID),
                    PVOID Context)
{
    PFILE_OBJECT f;
    KeInitializeEvent(&Request->Event, NotificationEvent, FALSE);
    Request->Sent = ObReferenceObjectByHandle(Handle, 0, *IoFileObjectType, KernelMode, (PVOID *)&f, NULL);
    if (!NT_SUCCESS(Request->Sent))
        return;
    PDEVICE_OBJECT dev = IoGetRelatedDeviceObject(f);
    Request->Irp = Build(dev, Request, Context);
    IoGetNextIrpStackLocation(Request->Irp)->FileObject = f;
    Request->Irp->Tail.Overlay.OriginalFileObject = f;
    Request->Sent = IoCallDriver(dev, Request->Irp);
    ObDereferenceObject(f);
}

typedef struct { PVOID Buffer, Out; ULONG Length, Code, OutLength; } KTW_ARGS;

static PIRP KtwBuildRead(PDEVICE_OBJECT Dev, KTW_REQUEST *R, PVOID Context)
{
    KTW_ARGS *a = Context;
    LARGE_INTEGER zero = { .QuadPart = 0 };
    return IoBuildSynchronousFsdRequest(IRP_MJ_READ, Dev, a->Buffer, a->Length, &zero, &R->Event, &R->Iosb);
}

static PIRP KtwBuildIoctl(PDEVICE_OBJECT Dev, KTW_REQUEST *R, PVOID Context)
{
    KTW_ARGS *a = Context;
    return IoBuildDeviceIoControlRequest(a->Code, Dev, a->Buffer, a->Length, a->Out, a->OutLength, FALSE,
                                         &R->Event, &R->Iosb);
}

VOID KtwSendRead(HANDLE Handle, KTW_REQUEST *Request, PVOID Buffer, ULONG Length)
{
    KTW_ARGS a = { Buffer, NULL, Length, 0, 0 };
    KtwSend(Handle, Request, KtwBuildRead, &a);
}

VOID KtwSendIoctl(HANDLE Handle, KTW_REQUEST *Request, ULONG Code, PVOID In, ULONG InLength, PVOID Out,
                  ULONG OutLength)
{
    KTW_ARGS a = { In, Out, InLength, Code, OutLength };
    KtwSend(Handle, Request, KtwBuildIoctl, &a);
}

NTSTATUS KtwWait(KTW_REQUEST *Request, ULONG Ms)
{
    LARGE_INTEGER t = { .QuadPart = -(LONGLONG)Ms * 10000 };
    if (Request->Sent != STATUS_PENDING)
        return Request->Sent;
    NTSTATUS st = KeWaitForSingleObject(&Request->Event, Executive, KernelMode, FALSE, &t);
    return st == STATUS_TIMEOUT ? STATUS_TIMEOUT : Request->Iosb.Status;
}
