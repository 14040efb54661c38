/* event.h - the sample event driver's interface: the application pends an IRP that the
 * driver completes when a timer it set expires. */
#pragma once
#include <devioctl.h>

#define EVENT_DEVICE_NAME L"\\Device\\Event_Sample"
#define EVENT_DOS_NAME L"\\DosDevices\\Event_Sample"
#define FILE_DEVICE_EVENT 0x8000
#define IOCTL_REGISTER_EVENT CTL_CODE(FILE_DEVICE_EVENT, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct _REGISTER_EVENT {
    LARGE_INTEGER DueTime; /* relative (negative), 100-ns units */
} REGISTER_EVENT, *PREGISTER_EVENT;
