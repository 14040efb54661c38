/* fatp.h - engine-internal structures and the routines the engine's files share.
 * Nothing here is for the driver; it includes fatengine.h for the public types. */
#pragma once
#include "fatengine.h"

#define FAT_DIRENT_SIZE 32
/* The spec caps a directory at 65536 entries (2 MiB); it also bounds every directory walk. */
#define FAT_MAX_DIR_ENTRIES 65536
#define FAT_DELETED_MARK 0xE5
#define FAT_KANJI_E5 0x05
#define FAT_NTRES_LOWER_BASE 0x08
#define FAT_NTRES_LOWER_EXT  0x10
#define FAT_LFN_LAST 0x40
#define FAT_LFN_CHARS_PER_ENTRY 13
#define FAT_LFN_MAX_ENTRIES 20

/* Natural alignment matches the on-disk layout, so no packing is needed. */
typedef struct _FAT_RAW_DIRENT {
    UCHAR Name[11];
    UCHAR Attr;
    UCHAR NtRes;
    UCHAR CrtTimeTenth;
    USHORT CrtTime;
    USHORT CrtDate;
    USHORT LstAccDate;
    USHORT FstClusHi;
    USHORT WrtTime;
    USHORT WrtDate;
    USHORT FstClusLo;
    ULONG FileSize;
} FAT_RAW_DIRENT, *PFAT_RAW_DIRENT;
_Static_assert(sizeof(FAT_RAW_DIRENT) == 32, "directory entry layout");

/* A directory is named by its first cluster; 0 is the fixed FAT12/16 root region. */
typedef ULONG FAT_DIR;

/* Remembers where the last chain walk ended so sequential access stays linear. */
typedef struct _FAT_CHAIN_CURSOR {
    ULONG First;
    ULONG Index;
    ULONG Cluster;
} FAT_CHAIN_CURSOR, *PFAT_CHAIN_CURSOR;

struct _FAT_VOLUME {
    FAT_SECTOR_IO Io;
    PVOID IoContext;
    ULONG64 DiskLength;
    FAT_TIME_SOURCE TimeSource;
    PVOID TimeContext;

    ULONG FatType;
    ULONG BytesPerSector;
    ULONG SectorsPerCluster;
    ULONG BytesPerCluster;
    ULONG ReservedSectors;
    ULONG NumberOfFats;
    ULONG RootEntryCount;       /* FAT12/16 fixed root only */
    ULONG TotalSectors;
    ULONG FatSectors;           /* per FAT copy */
    ULONG FirstRootDirSector;   /* FAT12/16 */
    ULONG FirstDataSector;
    ULONG ClusterCount;
    ULONG RootCluster;          /* FAT32; 0 on FAT12/16 */
    ULONG FsInfoSector;         /* 0 when absent or invalid */
    ULONG SerialNumber;
    UCHAR Label[11];

    /* In-memory copy of FAT #1; FatDirty has one bit per FAT sector. */
    PUCHAR Fat;
    PUCHAR FatDirty;
    BOOLEAN FsInfoDirty;
    ULONG FreeClusters;
    ULONG NextFreeHint;

    /* One-sector write-through cache for directory traffic. */
    PUCHAR SectorCache;
    ULONG64 CachedOffset;
    BOOLEAN CacheValid;
    /* Scratch sector for partial-sector file I/O, and a zero-filled cluster. */
    PUCHAR Scratch;
    PUCHAR ZeroCluster;

    FAT_CHAIN_CURSOR DirCursor;
};

struct _FAT_FCB {
    PFAT_VOLUME Volume;
    BOOLEAN IsRoot;
    BOOLEAN IsDirectory;
    BOOLEAN Deleted;
    ULONG FirstCluster;
    ULONG FileSize;
    FAT_DIR Parent;             /* directory that holds this entry */
    ULONG EntryIndex;           /* index of the short entry in Parent */
    ULONG LfnIndex;             /* first entry of the LFN set; == EntryIndex without LFN */
    FAT_RAW_DIRENT Entry;       /* current short entry as last written */
    ULONG Clusters;             /* length of the chain at FirstCluster */
    ULONG LastCluster;          /* its tail, so appends need no walk */
    FAT_CHAIN_CURSOR Cursor;
    BOOLEAN EntryDirty;         /* Entry changed in memory only (FatGrowFile) */
};

/* Everything learned about one directory entry set while scanning. */
typedef struct _FAT_SCAN_ENTRY {
    FAT_RAW_DIRENT Raw;
    ULONG ShortIndex;
    ULONG LfnIndex;
    USHORT LongLength;
    USHORT ShortLength;
    WCHAR LongName[FAT_LFN_MAX_ENTRIES * FAT_LFN_CHARS_PER_ENTRY + 1];
    WCHAR ShortName[13];
} FAT_SCAN_ENTRY, *PFAT_SCAN_ENTRY;

/* Pool helpers (fatio.c). */
PVOID FatAllocate(SIZE_T Bytes, ULONG Tag);
VOID FatFree(PVOID P, ULONG Tag);

/* Media access (fatio.c). Offsets and lengths are sector multiples. */
NTSTATUS FatDiskRead(PFAT_VOLUME Vol, ULONG64 Offset, PVOID Buffer, ULONG Length);
NTSTATUS FatDiskWrite(PFAT_VOLUME Vol, ULONG64 Offset, const VOID *Buffer, ULONG Length);
/* Byte-granular access through the sector cache; must not cross a sector boundary. */
NTSTATUS FatCachedRead(PFAT_VOLUME Vol, ULONG64 Offset, PVOID Buffer, ULONG Length);
NTSTATUS FatCachedWrite(PFAT_VOLUME Vol, ULONG64 Offset, const VOID *Buffer, ULONG Length);
/* Byte-granular data access that may span sectors (read-modify-write at the edges). */
NTSTATUS FatRangeRead(PFAT_VOLUME Vol, ULONG64 Offset, PVOID Buffer, ULONG Length);
NTSTATUS FatRangeWrite(PFAT_VOLUME Vol, ULONG64 Offset, const VOID *Buffer, ULONG Length);
NTSTATUS FatRangeZero(PFAT_VOLUME Vol, ULONG64 Offset, ULONG Length);
ULONG64 FatClusterOffset(PFAT_VOLUME Vol, ULONG Cluster);

/* FAT table (fattable.c). */
NTSTATUS FatLoadTable(PFAT_VOLUME Vol);
ULONG FatGetEntry(PFAT_VOLUME Vol, ULONG Cluster);
VOID FatSetEntry(PFAT_VOLUME Vol, ULONG Cluster, ULONG Value);
BOOLEAN FatIsValidCluster(PFAT_VOLUME Vol, ULONG Cluster);
/* Next cluster of a chain: STATUS_SUCCESS with *Next, STATUS_END_OF_FILE at end of chain,
 * STATUS_DISK_CORRUPT_ERROR for free/bad/out-of-range links. */
NTSTATUS FatNextCluster(PFAT_VOLUME Vol, ULONG Cluster, PULONG Next);
/* From Cluster of a chain: *Count clusters (at least 1, at most Max) that follow one another on
 * the disk, Cluster first, and *Next, the link after the last of them (0 at end of chain);
 * STATUS_DISK_CORRUPT_ERROR for a free/bad/out-of-range link. */
NTSTATUS FatContiguousRun(PFAT_VOLUME Vol, ULONG Cluster, ULONG Max, PULONG Count, PULONG Next);
/* Cluster number Index (0-based) of the chain starting at First; STATUS_END_OF_FILE if the
 * chain is shorter. Cursor may be NULL. */
NTSTATUS FatSeekCluster(PFAT_VOLUME Vol, ULONG First, ULONG Index, PFAT_CHAIN_CURSOR Cursor,
                        PULONG Cluster);
NTSTATUS FatChainLength(PFAT_VOLUME Vol, ULONG First, PULONG Length, PULONG Last);
/* Allocate Count clusters as one chain, linked after Tail when Tail != 0. All or nothing. */
NTSTATUS FatAllocateClusters(PFAT_VOLUME Vol, ULONG Count, ULONG Tail, PULONG First, PULONG Last);
/* Free the chain from First on; stops quietly at a corrupt link. */
VOID FatFreeChain(PFAT_VOLUME Vol, ULONG First);
/* Keep the first Keep (>= 1) clusters of the chain and free the rest. */
NTSTATUS FatTruncateChain(PFAT_VOLUME Vol, ULONG First, ULONG Keep);
NTSTATUS FatFlushTable(PFAT_VOLUME Vol);

/* Names (fatname.c). */
WCHAR FatUpcase(WCHAR C);
BOOLEAN FatNamesEqual(PCWSTR A, ULONG ALength, PCWSTR B, ULONG BLength);
/* Check a long-name component, dropping trailing dots and blanks like Windows does.
 * Returns the usable length, 0 if invalid. */
ULONG FatValidateLongName(PCWSTR Name, ULONG Length);
/* Exact 8.3 form of Name if it has one (with NT lower-case flags); FALSE if it needs LFN. */
BOOLEAN FatMakeShortName(PCWSTR Name, ULONG Length, UCHAR Short[11], PUCHAR NtRes);
/* Basis for a NAME~N.EXT alias; Tail is the numeric tail to apply. */
VOID FatMakeAlias(PCWSTR Name, ULONG Length, ULONG Tail, UCHAR Short[11]);
UCHAR FatShortChecksum(const UCHAR Short[11]);
/* Display form "NAME.EXT" of a raw short name, honouring the NT case flags. */
USHORT FatShortToDisplay(const UCHAR Short[11], UCHAR NtRes, WCHAR Out[13]);
BOOLEAN FatIsValidShortChar(UCHAR C);

/* Directories (fatdir.c). */
FAT_DIR FatRootDir(PFAT_VOLUME Vol);
NTSTATUS FatReadDirEntry(PFAT_VOLUME Vol, FAT_DIR Dir, ULONG Index, PFAT_RAW_DIRENT Entry);
NTSTATUS FatWriteDirEntry(PFAT_VOLUME Vol, FAT_DIR Dir, ULONG Index, const FAT_RAW_DIRENT *Entry);
NTSTATUS FatWriteDirEntries(PFAT_VOLUME Vol, FAT_DIR Dir, ULONG Index, ULONG Count, const FAT_RAW_DIRENT *Entries);
/* Next live entry set at or after *Index (which is advanced past it). STATUS_NO_MORE_FILES at
 * end. Volume labels are skipped; "." and ".." are returned. */
NTSTATUS FatScanDirectory(PFAT_VOLUME Vol, FAT_DIR Dir, PULONG Index, PFAT_SCAN_ENTRY Entry);
NTSTATUS FatFindName(PFAT_VOLUME Vol, FAT_DIR Dir, PCWSTR Name, ULONG Length, PFAT_SCAN_ENTRY Entry);
/* Write a new entry set (LFN + short) for Name into Dir; Template supplies everything but the
 * name. Exclude is a short-entry index to ignore in alias collision checks (rename), or ~0. */
NTSTATUS FatAddEntry(PFAT_VOLUME Vol, FAT_DIR Dir, PCWSTR Name, ULONG Length,
                     const FAT_RAW_DIRENT *Template, ULONG Exclude, PULONG LfnIndex,
                     PULONG ShortIndex, PFAT_RAW_DIRENT Written);
/* Mark the entry set [LfnIndex .. ShortIndex] deleted. */
NTSTATUS FatRemoveEntry(PFAT_VOLUME Vol, FAT_DIR Dir, ULONG LfnIndex, ULONG ShortIndex);
NTSTATUS FatIsDirectoryEmpty(PFAT_VOLUME Vol, FAT_DIR Dir, PBOOLEAN Empty);
NTSTATUS FatInitDirectoryCluster(PFAT_VOLUME Vol, ULONG Cluster, FAT_DIR Parent,
                                 const FAT_RAW_DIRENT *Self);
ULONG FatEntryCluster(PFAT_VOLUME Vol, const FAT_RAW_DIRENT *Entry);
VOID FatSetEntryCluster(PFAT_RAW_DIRENT Entry, ULONG Cluster);
VOID FatStampNow(PFAT_VOLUME Vol, PUSHORT Date, PUSHORT Time, PUCHAR Tenth);

/* Files (fatfile.c). */
NTSTATUS FatWriteFcbEntry(PFAT_FCB Fcb);
/* Set the size to NewSize, allocating or freeing clusters; bytes from the old end up to
 * ZeroUpTo (clipped to NewSize) are zeroed so no stale data becomes visible. */
NTSTATUS FatResizeFcb(PFAT_FCB Fcb, ULONG NewSize, ULONG ZeroUpTo);
FAT_DIR FatFcbDir(PFAT_FCB Fcb);

/* Paths (fatpath.c). */
typedef struct _FAT_PATH_TAIL {
    FAT_DIR Parent;             /* directory that holds (or would hold) the last component */
    PCWSTR Name;                /* last component, NULL when the path is the root */
    ULONG Length;               /* its length after trailing dots/blanks are dropped */
    BOOLEAN TrailingSlash;
} FAT_PATH_TAIL, *PFAT_PATH_TAIL;

/* Resolve every component but the last. Forbidden (if non-zero) is a directory cluster the
 * walk must not pass through, which is how a move of a directory below itself is caught. */
NTSTATUS FatWalkPath(PFAT_VOLUME Vol, PCUNICODE_STRING Path, ULONG Forbidden, PFAT_SCAN_ENTRY Scratch,
                     PFAT_PATH_TAIL Tail);
/* Build an FCB for a scanned entry (Scan NULL: the root), validating its cluster chain. */
NTSTATUS FatMakeFcb(PFAT_VOLUME Vol, FAT_DIR Parent, const FAT_SCAN_ENTRY *Scan, PFAT_FCB *Out);

/* Little-endian field access for the boot sector, which is not naturally aligned. */
FORCEINLINE USHORT FatLe16(const UCHAR *P) { return (USHORT)(P[0] | (P[1] << 8)); }
FORCEINLINE ULONG FatLe32(const UCHAR *P)
{
    return (ULONG)P[0] | ((ULONG)P[1] << 8) | ((ULONG)P[2] << 16) | ((ULONG)P[3] << 24);
}
FORCEINLINE VOID FatPut32(UCHAR *P, ULONG V)
{
    P[0] = (UCHAR)V; P[1] = (UCHAR)(V >> 8); P[2] = (UCHAR)(V >> 16); P[3] = (UCHAR)(V >> 24);
}
