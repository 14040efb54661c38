/* tools/fuzz/fat_fuzz.c - libFuzzer target for the FAT on-disk engine (drivers/fat/fat*.c)
 * built for the host with AddressSanitizer and UBSan: mounts the input as a disk image, walks
 * every directory, reads every file, then creates, writes, extends, truncates, renames and
 * deletes, and dismounts. Any crash or sanitizer report is a finding (fix the engine, keep the
 * image in tools/fuzz/regress/). */
#include <stddef.h>
#include <stdint.h>
#include "../../drivers/fat/fatengine.h"

void *malloc(size_t n);
void free(void *p);

/* The engine's two kernel services, the host way. */
PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    (void)PoolType;
    (void)Tag;
    return malloc(NumberOfBytes ? NumberOfBytes : 1);
}
VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    (void)Tag;
    free(P);
}

/* The input is the start of a 36 MiB disk (enough for FAT32's 65525 clusters); the rest reads
 * as zeros, so a FAT32 seed needs only its first sectors. */
#define DISK_SIZE (36u << 20)
typedef struct { uint8_t *Data; size_t Size, Dirty; } DISK;

static NTSTATUS Io(PVOID Context, BOOLEAN Write, ULONG64 Offset, PVOID Buffer, ULONG Length)
{
    DISK *d = Context;
    if (Offset > d->Size || Length > d->Size - Offset)
        return STATUS_INVALID_PARAMETER; /* what the RAM disk answers */
    if (Write && Offset + Length > d->Dirty)
        d->Dirty = Offset + Length;
    if (Write)
        memcpy(d->Data + Offset, Buffer, Length);
    else
        memcpy(Buffer, d->Data + Offset, Length);
    return STATUS_SUCCESS;
}

static void Name(UNICODE_STRING *U, WCHAR *Buf, const WCHAR *Dir, const WCHAR *Leaf)
{
    size_t n = 0;
    for (; *Dir; Dir++)
        Buf[n++] = *Dir;
    if (n == 0 || Buf[n - 1] != L'\\')
        Buf[n++] = L'\\';
    for (; *Leaf && n < 300; Leaf++)
        Buf[n++] = *Leaf;
    Buf[n] = 0;
    U->Buffer = Buf;
    U->Length = U->MaximumLength = (USHORT)(n * sizeof(WCHAR));
}

/* Reads every file and descends into directories, a bounded number of entries. */
static void Walk(PFAT_VOLUME Vol, const WCHAR *Path, int Depth, int *Budget)
{
    static uint8_t buf[8192];
    static FAT_DIR_ENTRY_INFO info;
    WCHAR child[320];
    UNICODE_STRING u;
    PFAT_FCB dir;
    ULONG cursor = 0;
    Name(&u, child, Path, L"");
    u.Length = (USHORT)(u.Length - (Depth ? sizeof(WCHAR) : 0)); /* "\" for the root, else no trailing \ */
    if (FatOpenFile(Vol, &u, &dir) != STATUS_SUCCESS)
        return;
    while (--*Budget > 0 && FatEnumerateDirectory(dir, &cursor, TRUE, &info) == STATUS_SUCCESS) {
        WCHAR path[320];
        UNICODE_STRING cu;
        PFAT_FCB f;
        Name(&cu, path, Path, info.Name);
        if (FatOpenFile(Vol, &cu, &f) != STATUS_SUCCESS)
            continue;
        if (info.Attributes & FAT_ATTR_DIRECTORY) {
            FatCloseFile(f);
            if (Depth < 4)
                Walk(Vol, path, Depth + 1, Budget);
            continue;
        }
        ULONG got;
        for (ULONG64 off = 0; off < 65536 && FatReadFile(f, off, buf, sizeof(buf), &got) == STATUS_SUCCESS && got;
             off += got)
            ;
        FAT_RUN runs[8];
        ULONG n, mapped;
        FatMapFileRange(f, 0, 65536, runs, 8, &n, &mapped);
        FatCloseFile(f);
    }
    FatCloseFile(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    static uint8_t disk[DISK_SIZE];
    static size_t dirty; /* bytes the last run may have changed */
    static const uint8_t pattern[3000] = { 1, 2, 3 };
    DISK d = { disk, DISK_SIZE, 0 };
    PFAT_VOLUME vol;
    size_t in = Size > DISK_SIZE ? DISK_SIZE : Size;
    memset(disk, 0, dirty);
    memcpy(disk, Data, in);
    dirty = in;
    NTSTATUS st = FatMountVolume(Io, &d, d.Size, &vol);
    if (d.Dirty > dirty)
        dirty = d.Dirty;
    if (st != STATUS_SUCCESS)
        return 0;
    FAT_VOLUME_INFO vi;
    FatQueryVolumeInformation(vol, &vi);
    int budget = 256;
    Walk(vol, L"\\", 0, &budget);

    /* then change things on whatever the image claims to be */
    WCHAR p1[64], p2[64];
    UNICODE_STRING u1, u2;
    PFAT_FCB f, dir;
    Name(&u1, p1, L"\\", L"FUZZDIR");
    if (FatCreateFile(vol, &u1, TRUE, 0, &dir) == STATUS_SUCCESS)
        FatCloseFile(dir);
    Name(&u1, p1, L"\\FUZZDIR", L"A long file name.txt");
    Name(&u2, p2, L"\\", L"MOVED.TXT");
    if (FatCreateFile(vol, &u1, FALSE, 0, &f) == STATUS_SUCCESS) {
        ULONG done;
        FatWriteFile(f, 0, pattern, sizeof(pattern), &done);
        FatWriteFile(f, 10000, pattern, 100, &done);
        FatSetEndOfFile(f, 700);
        FatSetEndOfFile(f, 5000);
        FatRenameFile(f, &u2, TRUE);
        FatDeleteFile(f);
        FatCloseFile(f);
    }
    Name(&u1, p1, L"\\", L"FUZZDIR");
    if (FatOpenFile(vol, &u1, &dir) == STATUS_SUCCESS) {
        FatDeleteFile(dir);
        FatCloseFile(dir);
    }
    FatFlushVolume(vol);
    FatDismountVolume(vol);
    if (d.Dirty > dirty)
        dirty = d.Dirty;
    return 0;
}
