/* sioctl.h - control codes of the sample IOCTL driver, shared with its test application:
 * one per transfer method. */
#pragma once
#include <devioctl.h>

#define SIOCTL_TYPE 40000
#define IOCTL_SIOCTL_METHOD_IN_DIRECT CTL_CODE(SIOCTL_TYPE, 0x900, METHOD_IN_DIRECT, FILE_ANY_ACCESS)
#define IOCTL_SIOCTL_METHOD_OUT_DIRECT CTL_CODE(SIOCTL_TYPE, 0x901, METHOD_OUT_DIRECT, FILE_ANY_ACCESS)
#define IOCTL_SIOCTL_METHOD_BUFFERED CTL_CODE(SIOCTL_TYPE, 0x902, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_SIOCTL_METHOD_NEITHER CTL_CODE(SIOCTL_TYPE, 0x903, METHOD_NEITHER, FILE_ANY_ACCESS)

#define SIOCTL_DEVICE_NAME L"\\Device\\SIOCTL"
#define SIOCTL_DOS_NAME L"\\DosDevices\\IoctlTest"
#define SIOCTL_REPLY "This String is from Device Driver !!!"
