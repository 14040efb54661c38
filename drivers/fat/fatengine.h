/* fatengine.h - public interface of the FAT12/16/32 on-disk engine that the WDM FAT driver calls.
 * The engine knows nothing of IRPs: all media access goes through the FAT_SECTOR_IO callback. */
#pragma once
#include <ntdef.h>
#include <ntstatus.h>
#include <wdm/rtl.h>

/* Pool services; the engine only allocates NonPagedPool (type 0). The kernel's own header is
 * preferred so the prototypes can never disagree; the fallback serves trees without it. */
#if defined(__has_include)
#if __has_include(<wdm/ex.h>)
#include <wdm/ex.h>
#define IRQLAB_HAVE_POOL 1
#endif
#endif
#ifndef IRQLAB_HAVE_POOL
PVOID ExAllocatePoolWithTag(ULONG PoolType, SIZE_T NumberOfBytes, ULONG Tag);
VOID ExFreePoolWithTag(PVOID P, ULONG Tag);
#endif

/* Tags read as "FatV", "FatF", "FatB", "FatT" in a pool dump (little-endian, like 'looP'). */
#define FAT_TAG(a, b, c, d) ((ULONG)(a) | ((ULONG)(b) << 8) | ((ULONG)(c) << 16) | ((ULONG)(d) << 24))
#define FAT_TAG_VOLUME FAT_TAG('F', 'a', 't', 'V')
#define FAT_TAG_FCB    FAT_TAG('F', 'a', 't', 'F')
#define FAT_TAG_BUFFER FAT_TAG('F', 'a', 't', 'B')
#define FAT_TAG_TABLE  FAT_TAG('F', 'a', 't', 'T')

/* Media access. ByteOffset and Length are always multiples of the volume's sector size
 * (512 while the boot sector is being read). Must return STATUS_SUCCESS only when the
 * whole transfer happened. */
typedef NTSTATUS (*FAT_SECTOR_IO)(PVOID Context, BOOLEAN Write, ULONG64 ByteOffset,
                                  PVOID Buffer, ULONG Length);

/* Optional clock for directory-entry time stamps, in DOS packed form.
 * Without one, new entries get 1980-01-01 00:00:00. */
typedef VOID (*FAT_TIME_SOURCE)(PVOID Context, PUSHORT DosDate, PUSHORT DosTime, PUCHAR TenthsOf10Ms);

/* Attribute bits of a directory entry (same values as FILE_ATTRIBUTE_*). */
#define FAT_ATTR_READ_ONLY 0x01
#define FAT_ATTR_HIDDEN    0x02
#define FAT_ATTR_SYSTEM    0x04
#define FAT_ATTR_VOLUME_ID 0x08
#define FAT_ATTR_DIRECTORY 0x10
#define FAT_ATTR_ARCHIVE   0x20
#define FAT_ATTR_LONG_NAME 0x0F

#define FAT_MAX_NAME_CHARS 255

/* Opaque to callers; one per mounted volume, one per opened file or directory. */
typedef struct _FAT_VOLUME FAT_VOLUME, *PFAT_VOLUME;
typedef struct _FAT_FCB FAT_FCB, *PFAT_FCB;

typedef struct _FAT_VOLUME_INFO {
    ULONG FatType;              /* 12, 16 or 32 */
    ULONG BytesPerSector;
    ULONG SectorsPerCluster;
    ULONG BytesPerCluster;
    ULONG TotalClusters;        /* data clusters, numbered 2 .. TotalClusters + 1 */
    ULONG FreeClusters;
    ULONG SerialNumber;
    USHORT LabelLength;         /* characters in Label, trailing blanks removed */
    WCHAR Label[12];
} FAT_VOLUME_INFO, *PFAT_VOLUME_INFO;

typedef struct _FAT_FILE_INFO {
    ULONG64 FileSize;
    ULONG64 AllocationSize;     /* bytes in the cluster chain */
    ULONG FirstCluster;
    UCHAR Attributes;
    BOOLEAN IsDirectory;
    BOOLEAN IsRoot;
    UCHAR CreateTimeTenth;      /* raw DOS fields; the root has none and reports zeros */
    USHORT CreateTime, CreateDate, AccessDate, WriteTime, WriteDate;
} FAT_FILE_INFO, *PFAT_FILE_INFO;

typedef struct _FAT_DIR_ENTRY_INFO {
    USHORT NameLength;          /* characters; long name if present, else 8.3 display form */
    USHORT ShortNameLength;
    WCHAR Name[FAT_MAX_NAME_CHARS + 1];     /* NUL terminated for convenience */
    WCHAR ShortName[13];
    ULONG FileSize;
    ULONG FirstCluster;
    UCHAR Attributes;
    UCHAR CreateTimeTenth;
    USHORT CreateTime, CreateDate, AccessDate, WriteTime, WriteDate;
} FAT_DIR_ENTRY_INFO, *PFAT_DIR_ENTRY_INFO;

/*
 * Concurrency: the engine is not reentrant. The driver must serialise all calls on one volume
 * (one lock per volume is enough). It must also keep at most one FCB per on-disk file, because
 * size and chain state live in the FCB.
 *
 * Paths are absolute, backslash separated ("\dir\file.txt", "\" is the root), matched without
 * regard to case against both long and 8.3 names. "." and ".." components are rejected.
 */

/* Mount: reads and checks the boot sector, loads the first FAT into pool.
 * STATUS_UNRECOGNIZED_VOLUME if it is not FAT at all, STATUS_DISK_CORRUPT_ERROR if it is FAT
 * but the BPB is inconsistent or larger than DiskLength. */
NTSTATUS FatMountVolume(FAT_SECTOR_IO Io, PVOID IoContext, ULONG64 DiskLength, PFAT_VOLUME *Volume);
/* Writes dirty FAT sectors to every FAT copy and the FAT32 FSInfo sector. Data and directory
 * entries are written through already, so after this the media is fully consistent. */
NTSTATUS FatFlushVolume(PFAT_VOLUME Volume);
/* Flushes, then frees the volume. FCBs must all be closed first. Returns the flush status;
 * the volume is freed even when the flush failed. */
NTSTATUS FatDismountVolume(PFAT_VOLUME Volume);
VOID FatQueryVolumeInformation(PFAT_VOLUME Volume, PFAT_VOLUME_INFO Info);
VOID FatSetTimeSource(PFAT_VOLUME Volume, FAT_TIME_SOURCE Source, PVOID Context);

/* Open an existing file or directory. Errors: STATUS_OBJECT_NAME_INVALID,
 * STATUS_OBJECT_PATH_NOT_FOUND (a middle component is missing or not a directory),
 * STATUS_OBJECT_NAME_NOT_FOUND, STATUS_DISK_CORRUPT_ERROR, STATUS_INSUFFICIENT_RESOURCES.
 * A trailing backslash is accepted only on a directory. */
NTSTATUS FatOpenFile(PFAT_VOLUME Volume, PCUNICODE_STRING Path, PFAT_FCB *Fcb);
/* Create a new file (Directory FALSE) or directory with its "." and ".." entries. Long names
 * get LFN entries and a NAME~N.EXT alias. STATUS_OBJECT_NAME_COLLISION if it exists,
 * STATUS_DISK_FULL when no cluster or (FAT12/16 root) no directory slot is left.
 * Attributes: READ_ONLY/HIDDEN/SYSTEM/ARCHIVE are kept, other bits ignored. */
NTSTATUS FatCreateFile(PFAT_VOLUME Volume, PCUNICODE_STRING Path, BOOLEAN Directory,
                       UCHAR Attributes, PFAT_FCB *Fcb);
VOID FatCloseFile(PFAT_FCB Fcb);

/* Read up to Length bytes at Offset; short at end of file. Offset >= size gives
 * STATUS_END_OF_FILE, Length 0 gives STATUS_SUCCESS with nothing read. */
NTSTATUS FatReadFile(PFAT_FCB Fcb, ULONG64 Offset, PVOID Buffer, ULONG Length, PULONG BytesRead);
/* One stretch of a file's data on the media. */
typedef struct _FAT_RUN {
    ULONG64 DiskOffset;         /* bytes from the start of the media */
    ULONG Length;               /* bytes */
} FAT_RUN, *PFAT_RUN;

/* Where bytes [Offset, Offset+Length) of a file lie on the media, physically contiguous
 * clusters merged into one run, so a driver can move file data with its own disk requests.
 * Length is clipped at end of file (*Mapped is what was mapped); Offset >= size gives
 * STATUS_END_OF_FILE. More than MaxRuns runs gives STATUS_BUFFER_OVERFLOW. Runs start and end
 * wherever the byte range does, not on sector boundaries. The map is stale after any call that
 * changes the file's size or chain, so callers hold their volume lock until the transfer ends. */
NTSTATUS FatMapFileRange(PFAT_FCB Fcb, ULONG64 Offset, ULONG Length, PFAT_RUN Runs, ULONG MaxRuns,
                         PULONG RunCount, PULONG Mapped);
/* The metadata half of a write the caller will do itself through FatMapFileRange: grows the
 * file to cover [Offset, Offset+Length) (a gap before Offset reads back as zeros; the range
 * itself is left as it is) and stamps and writes the directory entry. Errors as FatWriteFile. */
NTSTATUS FatPrepareWrite(PFAT_FCB Fcb, ULONG64 Offset, ULONG Length);
/* The same for a write-back cache: the file grows and its entry is stamped in memory, but the
 * entry reaches the disk only with FatFlushFileEntry (the driver's flush and close), as the
 * cached data itself does. */
NTSTATUS FatGrowFile(PFAT_FCB Fcb, ULONG64 Offset, ULONG Length);
/* Writes the entry if FatGrowFile left it changed; nothing for a deleted file. */
NTSTATUS FatFlushFileEntry(PFAT_FCB Fcb);
/* Write at Offset, growing the file as needed; a gap between the old end and Offset reads
 * back as zeros. All-or-nothing for allocation: STATUS_DISK_FULL changes nothing. Files are
 * capped at 4 GiB - 1 (STATUS_DISK_FULL beyond). */
NTSTATUS FatWriteFile(PFAT_FCB Fcb, ULONG64 Offset, const VOID *Buffer, ULONG Length,
                      PULONG BytesWritten);
/* Truncate (frees clusters past the new end) or extend (allocates and zero-fills). */
NTSTATUS FatSetEndOfFile(PFAT_FCB Fcb, ULONG64 NewSize);
NTSTATUS FatQueryFileInformation(PFAT_FCB Fcb, PFAT_FILE_INFO Info);
VOID FatQueryFileSizes(PFAT_FCB Fcb, PULONG64 FileSize, PULONG64 AllocationSize); /* deleted ones too */
ULONG64 FatQueryFileSize(PFAT_FCB Fcb); /* the size alone: one aligned word, readable without the lock */
/* Change READ_ONLY/HIDDEN/SYSTEM/ARCHIVE; the directory bit cannot be changed. */
NTSTATUS FatSetFileAttributes(PFAT_FCB Fcb, UCHAR Attributes);
/* Set raw DOS time stamps; pass 0xFFFF to leave a field unchanged. */
NTSTATUS FatSetFileTimes(PFAT_FCB Fcb, USHORT CreateDate, USHORT CreateTime, USHORT AccessDate,
                         USHORT WriteDate, USHORT WriteTime);

/* Remove the file or empty directory behind Fcb and free its clusters; the FCB stays valid
 * only for FatCloseFile (other calls give STATUS_FILE_DELETED).
 * STATUS_DIRECTORY_NOT_EMPTY, STATUS_CANNOT_DELETE for the root. */
NTSTATUS FatDeleteFile(PFAT_FCB Fcb);
/* Give Fcb the full path NewPath, in the same or another directory. An existing target is
 * STATUS_OBJECT_NAME_COLLISION unless ReplaceIfExists, in which case a file target is deleted
 * (a directory target gives STATUS_ACCESS_DENIED). Moving a directory below itself gives
 * STATUS_INVALID_PARAMETER. Renaming to a different case of the same name is allowed. */
NTSTATUS FatRenameFile(PFAT_FCB Fcb, PCUNICODE_STRING NewPath, BOOLEAN ReplaceIfExists);

/* Directory enumeration. *Cursor is 0 for the first call and is advanced past the returned
 * entry; it is a plain entry index, so it stays valid across other calls. Deleted entries,
 * volume labels and LFN pieces are never returned; "." and ".." only if !SkipDots.
 * STATUS_NO_MORE_FILES at the end, STATUS_NOT_A_DIRECTORY if Dir is a file. */
NTSTATUS FatEnumerateDirectory(PFAT_FCB Dir, PULONG Cursor, BOOLEAN SkipDots,
                               PFAT_DIR_ENTRY_INFO Info);
