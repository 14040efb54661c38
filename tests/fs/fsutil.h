/* tests/fs/fsutil.h - small wrappers over the Zw* file API for the end-to-end file-system
 * tests: every call is a real IRP down filter -> FAT -> RAM disk and back up. */
#pragma once
#include "../ktest.h"

#define FS_ROOT L"\\Device\\RamDisk0"
NTSTATUS FsOpen(PCWSTR Path, ULONG Disposition, ULONG Options, PHANDLE Handle, PULONG_PTR Information);
NTSTATUS FsWriteAt(HANDLE H, LONGLONG Offset, const VOID *Buffer, ULONG Length, PULONG Done);
NTSTATUS FsReadAt(HANDLE H, LONGLONG Offset, PVOID Buffer, ULONG Length, PULONG Done);
NTSTATUS FsSize(HANDLE H, PULONG64 Size);
NTSTATUS FsSetSize(HANDLE H, ULONG64 Size);
NTSTATUS FsMarkDelete(HANDLE H);
NTSTATUS FsRename(HANDLE H, PCWSTR NewName, BOOLEAN Replace);
NTSTATUS FsFlush(HANDLE H);
NTSTATUS FsCountEntries(PCWSTR Dir, PULONG Count, PCWSTR MustContain, PBOOLEAN Found);
NTSTATUS FsWriteFile(PCWSTR Path, const VOID *Buffer, ULONG Length);
NTSTATUS FsReadFile(PCWSTR Path, PVOID Buffer, ULONG Length, PULONG Done);
VOID FsPattern(PUCHAR Buffer, ULONG Length, ULONG Seed);
NTSTATUS FsDiskControl(ULONG IoControlCode, PVOID Output, ULONG OutputLength); /* to \Device\RamDisk0 */
NTSTATUS FsOpenVolume(PHANDLE Handle); /* the volume itself: no file name, data rights */
BOOLEAN FsDiskHoldsSector(const VOID *Sector); /* the raw disk, below FAT and the cache */
NTSTATUS FsDismount(void);             /* FSCTL_DISMOUNT_VOLUME on a volume handle, then close it */
struct _FSD_VCB *FsMountedVcb(void);   /* FAT's mounted volume (not a dismounted one), or NULL */
