/* ntifs.h - what a file system or file-system filter includes: everything in ntddk.h plus
 * the cache manager and the FsRtl structures it shares with file systems. */
#pragma once
#include <ntddk.h>
#include <wdm/cc.h>
