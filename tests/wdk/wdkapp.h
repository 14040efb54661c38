/* tests/wdk/wdkapp.h - what the sample drivers' user-mode test applications would do, done
 * from kernel code: load a sample, open it by its \DosDevices name, send requests the way
 * DeviceIoControl / ReadFile with OVERLAPPED would, cancel, close, unload. */
#pragma once
#include "../ktest.h"
#include "../../io/iop.h"

DRIVER_INITIALIZE WdkSample_sioctl_DriverEntry;
DRIVER_INITIALIZE WdkSample_event_DriverEntry;
DRIVER_INITIALIZE WdkSample_cancelsafe_DriverEntry;
DRIVER_INITIALIZE WdkSample_startio_DriverEntry;

/* Starts a sample (IoCreateDriver) and returns its driver object (referenced). */
PDRIVER_OBJECT KtwLoad(PCWSTR DriverName, PDRIVER_INITIALIZE Entry);
/* IoUnloadDriver and drops the reference KtwLoad took. */
NTSTATUS KtwUnload(PDRIVER_OBJECT Driver);
NTSTATUS KtwOpen(PCWSTR Name, PHANDLE Handle);
/* An asynchronous request, as an OVERLAPPED call would send it: built on the device the
 * handle opened, tagged with the handle's file object, sent, not waited for. */
typedef struct _KTW_REQUEST {
    PIRP Irp;
    KEVENT Event;
    IO_STATUS_BLOCK Iosb;
    NTSTATUS Sent; /* what IoCallDriver returned */
} KTW_REQUEST;
VOID KtwSendRead(HANDLE Handle, KTW_REQUEST *Request, PVOID Buffer, ULONG Length);
VOID KtwSendIoctl(HANDLE Handle, KTW_REQUEST *Request, ULONG Code, PVOID In, ULONG InLength, PVOID Out,
                  ULONG OutLength);
/* Waits for the request's completion: the status, or STATUS_TIMEOUT after Ms. */
NTSTATUS KtwWait(KTW_REQUEST *Request, ULONG Ms);
