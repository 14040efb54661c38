/* labs/common/labgrade.c - the grader helpers of labgrade.h: "# LAB:" reasons, the IRP trace
 * appended to stop reports, and a synchronous IOCTL to a lab driver's device. */
#include "labgrade.h"
#include "../../kernel/ke/ki.h"
#include <stdarg.h>

int RtlpFormat(char *buf, size_t size, const char *fmt, va_list ap);

VOID GradeSay(PCSTR Format, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, Format);
    RtlpFormat(msg, sizeof(msg), Format, ap);
    va_end(ap);
    DbgPrint("# LAB: %s\n", msg);
}

/* A stop report section: the last IRP trace records, newest last (IRQL: any). */
static VOID GradepTraceReport(void) { IoDumpIrpTrace(16); }

VOID GradeBegin(void)
{
    static BOOLEAN registered;
    if (!registered)
        KiRegisterBugCheckReport(GradepTraceReport);
    registered = TRUE;
}

NTSTATUS GradeIoctl(PCWSTR DeviceName, ULONG Code, PVOID In, ULONG InLength, PVOID Out, ULONG OutLength,
                  PULONG_PTR Information)
{
    UNICODE_STRING name;
    PFILE_OBJECT fo;
    PDEVICE_OBJECT dev;
    IO_STATUS_BLOCK iosb = { 0 };
    KEVENT ev;
    RtlInitUnicodeString(&name, DeviceName);
    NTSTATUS s = IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &fo, &dev);
    if (Information)
        *Information = 0;
    if (!NT_SUCCESS(s))
        return s;
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(Code, dev, In, InLength, Out, OutLength, FALSE, &ev, &iosb);
    s = irp ? IoCallDriver(dev, irp) : STATUS_INSUFFICIENT_RESOURCES;
    if (s == STATUS_PENDING) {
        KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL);
        s = iosb.Status;
    }
    if (Information)
        *Information = iosb.Information;
    ObDereferenceObject(fo);
    return s;
}

PCSTR GradeSymbol(PVOID Address)
{
    ULONG64 off;
    PCSTR s = Address ? KiLookupSymbol((ULONG64)Address, &off) : NULL;
    return s ? s : "?";
}
