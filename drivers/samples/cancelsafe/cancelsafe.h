/* cancelsafe.h - the cancel-safe-queue sample's interface: reads wait in the queue until the
 * application releases one with an IOCTL. */
#pragma once
#include <devioctl.h>

#define CSAMP_DEVICE_NAME L"\\Device\\CancelSafeSample"
#define CSAMP_DOS_NAME L"\\DosDevices\\CancelSafeSample"
#define IOCTL_CSAMP_COMPLETE_NEXT CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define CSAMP_FILL 0x5A
