/* devioctl.h - device I/O control codes: CTL_CODE and its parts, the transfer methods and
 * access bits, as the WDK defines them (also for test applications). */
#pragma once

typedef unsigned int DEVICE_TYPE; /* ULONG */

#ifndef CTL_CODE
#define CTL_CODE(DeviceType, Function, Method, Access) (((DeviceType) << 16) | ((Access) << 14) | ((Function) << 2) | (Method))
#endif
#define DEVICE_TYPE_FROM_CTL_CODE(ctrlCode) (((unsigned long)((ctrlCode) & 0xffff0000)) >> 16)
#define METHOD_FROM_CTL_CODE(ctrlCode) ((unsigned long)((ctrlCode) & 3))
#ifndef METHOD_BUFFERED
#define METHOD_BUFFERED 0
#define METHOD_IN_DIRECT 1
#define METHOD_OUT_DIRECT 2
#define METHOD_NEITHER 3
#endif
#define METHOD_DIRECT_TO_HARDWARE METHOD_IN_DIRECT
#define METHOD_DIRECT_FROM_HARDWARE METHOD_OUT_DIRECT
#ifndef FILE_ANY_ACCESS
#define FILE_ANY_ACCESS 0
#endif
#define FILE_SPECIAL_ACCESS (FILE_ANY_ACCESS)
#ifndef FILE_READ_ACCESS
#define FILE_READ_ACCESS 0x0001
#define FILE_WRITE_ACCESS 0x0002
#endif
