/* tests/fs/fs_tests.c - the file system end to end, through filter -> FAT -> RAM disk: the
 * default image's files, every size class, directories, overwrite/append/truncate, rename,
 * delete, end of file, disk full and bad names, each byte read back. */
#include "fsutil.h"
#include "../../drivers/fat/fsd.h"

#define BIG (1024 * 1024)
static UCHAR FspWrite[BIG], FspRead[BIG];

KTEST(fs, reads_files_made_by_mcopy)
{
    static const char hello[] = "Hello from a FAT volume made by mkfs.fat and filled by mcopy.\n";
    ULONG done;
    KT_STATUS(FsReadFile(L"\\HELLO.TXT", FspRead, sizeof(FspRead), &done), STATUS_SUCCESS);
    KT_EQ(done, sizeof(hello) - 1);
    KT_ASSERT(RtlEqualMemory(FspRead, hello, done));
    KT_STATUS(FsReadFile(L"\\docs\\long FILE name example.TXT", FspRead, sizeof(FspRead), &done), STATUS_SUCCESS);
    KT_EQ(done, 53);
    KT_STATUS(FsReadFile(L"\\DOCS\\NESTED\\NUMBERS.TXT", FspRead, sizeof(FspRead), &done), STATUS_SUCCESS);
    KT_EQ(done, 4096 * 9);
    KT_ASSERT(RtlEqualMemory(FspRead + 9 * 4095, "00004095\n", 9));
}

KTEST(fs, every_size_round_trips_byte_exact)
{
    static const ULONG sizes[] = { 0, 1, 511, 512, 513, 4096, BIG };
    WCHAR name[] = L"\\SIZE0.BIN";
    for (ULONG i = 0; i < ARRAYSIZE(sizes); i++) {
        ULONG done = ~0u;
        ULONG64 size;
        HANDLE h;
        name[5] = (WCHAR)(L'0' + i);
        FsPattern(FspWrite, sizes[i], i + 1);
        KT_STATUS(FsWriteFile(name, FspWrite, sizes[i]), STATUS_SUCCESS);
        KT_STATUS(FsOpen(name, FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
        KT_STATUS(FsSize(h, &size), STATUS_SUCCESS);
        ZwClose(h);
        KT_EQ(size, sizes[i]);
        RtlZeroMemory(FspRead, sizes[i]);
        NTSTATUS s = FsReadFile(name, FspRead, sizes[i] + 100, &done);
        KT_STATUS(s, sizes[i] ? STATUS_SUCCESS : STATUS_END_OF_FILE);
        KT_EQ(done, sizes[i]);
        KT_EQ(RtlCompareMemory(FspRead, FspWrite, sizes[i]), sizes[i]);
    }
}

KTEST(fs, nested_directories_and_enumeration)
{
    HANDLE h;
    ULONG_PTR info;
    ULONG count;
    BOOLEAN found;
    KT_STATUS(FsOpen(L"\\A", FILE_CREATE, FILE_DIRECTORY_FILE, &h, &info), STATUS_SUCCESS);
    KT_EQ(info, FILE_CREATED);
    ZwClose(h);
    KT_STATUS(FsOpen(L"\\A\\B", FILE_CREATE, FILE_DIRECTORY_FILE, &h, NULL), STATUS_SUCCESS);
    ZwClose(h);
    KT_STATUS(FsOpen(L"\\A\\B\\Deep directory name", FILE_CREATE, FILE_DIRECTORY_FILE, &h, NULL), STATUS_SUCCESS);
    ZwClose(h);
    KT_STATUS(FsWriteFile(L"\\A\\B\\Deep directory name\\leaf.txt", "leaf", 4), STATUS_SUCCESS);
    KT_STATUS(FsCountEntries(L"\\A\\B\\Deep directory name", &count, L"leaf.txt", &found), STATUS_SUCCESS);
    KT_EQ(count, 3); /* ".", "..", leaf.txt */
    KT_ASSERT(found);
    KT_STATUS(FsCountEntries(L"\\A\\B", &count, L"Deep directory name", &found), STATUS_SUCCESS);
    KT_ASSERT(found);
    KT_STATUS(FsOpen(L"\\A\\B", FILE_CREATE, FILE_DIRECTORY_FILE, &h, NULL), STATUS_OBJECT_NAME_COLLISION);
    KT_STATUS(FsOpen(L"\\A\\B", FILE_OPEN, FILE_NON_DIRECTORY_FILE, &h, NULL), STATUS_FILE_IS_A_DIRECTORY);
    KT_STATUS(FsOpen(L"\\HELLO.TXT", FILE_OPEN, FILE_DIRECTORY_FILE, &h, NULL), STATUS_NOT_A_DIRECTORY);
}

KTEST(fs, overwrite_append_truncate_extend)
{
    HANDLE h;
    ULONG_PTR info;
    ULONG done;
    ULONG64 size;
    KT_STATUS(FsWriteFile(L"\\EDIT.TXT", "0123456789", 10), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\EDIT.TXT", FILE_OVERWRITE, 0, &h, &info), STATUS_SUCCESS);
    KT_EQ(info, FILE_OVERWRITTEN);
    KT_STATUS(FsSize(h, &size), STATUS_SUCCESS);
    KT_EQ(size, 0);
    KT_STATUS(FsWriteAt(h, 0, "abc", 3, &done), STATUS_SUCCESS);
    /* append: the write-to-end-of-file offset */
    IO_STATUS_BLOCK iosb;
    LARGE_INTEGER end;
    end.HighPart = -1;
    end.LowPart = FILE_WRITE_TO_END_OF_FILE;
    KT_STATUS(ZwWriteFile(h, NULL, NULL, NULL, &iosb, "def", 3, &end, NULL), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(h, 0, FspRead, 100, &done), STATUS_SUCCESS);
    KT_EQ(done, 6);
    KT_ASSERT(RtlEqualMemory(FspRead, "abcdef", 6));
    KT_STATUS(FsSetSize(h, 2), STATUS_SUCCESS); /* truncate */
    KT_STATUS(FsReadAt(h, 0, FspRead, 100, &done), STATUS_SUCCESS);
    KT_EQ(done, 2);
    KT_STATUS(FsSetSize(h, 5000), STATUS_SUCCESS); /* extend: zero-filled */
    KT_STATUS(FsReadAt(h, 0, FspRead, 6000, &done), STATUS_SUCCESS);
    KT_EQ(done, 5000);
    KT_ASSERT(FspRead[1] == 'b' && FspRead[2] == 0 && FspRead[4999] == 0);
    /* a write past the end leaves zeros in the gap, not stale disk data */
    KT_STATUS(FsWriteAt(h, 9000, "Z", 1, &done), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(h, 5000, FspRead, 4001, &done), STATUS_SUCCESS);
    KT_EQ(done, 4001);
    for (ULONG i = 0; i < 4000; i++)
        KT_EQ(FspRead[i], 0);
    KT_EQ(FspRead[4000], 'Z');
    ZwClose(h);
}

KTEST(fs, read_past_end_of_file)
{
    HANDLE h;
    ULONG done = 7;
    KT_STATUS(FsOpen(L"\\HELLO.TXT", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsReadAt(h, 62, FspRead, 10, &done), STATUS_END_OF_FILE);
    KT_EQ(done, 0);
    KT_STATUS(FsReadAt(h, 60, FspRead, 10, &done), STATUS_SUCCESS);
    KT_EQ(done, 2);
    ZwClose(h);
}

KTEST(fs, rename_in_place_across_directories_and_collision)
{
    HANDLE h;
    ULONG done;
    KT_STATUS(FsWriteFile(L"\\OLD.TXT", "moved", 5), STATUS_SUCCESS);
    KT_STATUS(FsWriteFile(L"\\OTHER.TXT", "x", 1), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\OLD.TXT", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsRename(h, L"OTHER.TXT", FALSE), STATUS_OBJECT_NAME_COLLISION);
    KT_STATUS(FsRename(h, L"New name.txt", FALSE), STATUS_SUCCESS);
    KT_STATUS(FsRename(h, L"\\DOCS\\Moved here.txt", FALSE), STATUS_SUCCESS);
    ZwClose(h);
    KT_STATUS(FsReadFile(L"\\OLD.TXT", FspRead, 10, &done), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_STATUS(FsReadFile(L"\\New name.txt", FspRead, 10, &done), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_STATUS(FsReadFile(L"\\DOCS\\Moved here.txt", FspRead, 10, &done), STATUS_SUCCESS);
    KT_EQ(done, 5);
    KT_ASSERT(RtlEqualMemory(FspRead, "moved", 5));
}

KTEST(fs, delete_rules)
{
    HANDLE h, h2;
    ULONG done;
    KT_STATUS(FsWriteFile(L"\\GONE.TXT", "bye", 3), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\GONE.TXT", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsMarkDelete(h), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\GONE.TXT", FILE_OPEN, 0, &h2, NULL), STATUS_DELETE_PENDING);
    ZwClose(h);
    KT_STATUS(FsReadFile(L"\\GONE.TXT", FspRead, 10, &done), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_STATUS(FsOpen(L"\\DOCS", FILE_OPEN, FILE_DIRECTORY_FILE, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsMarkDelete(h), STATUS_DIRECTORY_NOT_EMPTY);
    ZwClose(h);
}

KTEST(fs, disk_full_changes_nothing)
{
    HANDLE h;
    ULONG done;
    ULONG64 size;
    KT_STATUS(FsOpen(L"\\FILL.BIN", FILE_OVERWRITE_IF, 0, &h, NULL), STATUS_SUCCESS);
    FsPattern(FspWrite, BIG, 9);
    NTSTATUS s = STATUS_SUCCESS;
    ULONG64 off = 0;
    for (ULONG i = 0; i < 8 && NT_SUCCESS(s); i++) { /* the default disk is 4 MiB */
        s = FsWriteAt(h, (LONGLONG)off, FspWrite, BIG, &done);
        if (NT_SUCCESS(s))
            off += done;
    }
    KT_STATUS(s, STATUS_DISK_FULL);
    KT_STATUS(FsSize(h, &size), STATUS_SUCCESS);
    KT_EQ(size, off); /* the failed write added nothing */
    KT_STATUS(FsMarkDelete(h), STATUS_SUCCESS);
    ZwClose(h);
}

KTEST(fs, invalid_and_missing_names)
{
    HANDLE h;
    KT_STATUS(FsOpen(L"\\bad*name.txt", FILE_OPEN_IF, 0, &h, NULL), STATUS_OBJECT_NAME_INVALID);
    KT_STATUS(FsOpen(L"\\bad|name", FILE_CREATE, 0, &h, NULL), STATUS_OBJECT_NAME_INVALID);
    KT_STATUS(FsOpen(L"\\NOPE.TXT", FILE_OPEN, 0, &h, NULL), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_STATUS(FsOpen(L"\\NODIR\\X.TXT", FILE_OPEN, 0, &h, NULL), STATUS_OBJECT_PATH_NOT_FOUND);
    KT_STATUS(FsOpen(L"\\HELLO.TXT", FILE_CREATE, 0, &h, NULL), STATUS_OBJECT_NAME_COLLISION);
}

/* A file whose clusters are not next to each other (B's cluster lies between A's two) still
 * reads back exact in one non-cached request: the transfer's disk runs follow the chain. The
 * engine's own map of A must show two runs, or the file was not fragmented. */
KTEST(fs, a_fragmented_file_reads_back_exact_in_one_request)
{
    HANDLE a, b, nc;
    ULONG done, runs = 0, mapped = 0;
    FAT_RUN run[4];
    PFILE_OBJECT fo;
    FsPattern(FspWrite, 1024, 41);
    FsPattern(FspWrite + 1024, 512, 42);
    KT_STATUS(FsOpen(L"\\FRAGA.BIN", FILE_OVERWRITE_IF, 0, &a, NULL), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\FRAGB.BIN", FILE_OVERWRITE_IF, 0, &b, NULL), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(a, 0, FspWrite, 512, &done), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(b, 0, FspWrite + 1024, 512, &done), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(a, 512, FspWrite + 512, 512, &done), STATUS_SUCCESS); /* A's 2nd cluster: after B's */
    KT_STATUS(FsFlush(a), STATUS_SUCCESS);
    KT_STATUS(FsFlush(b), STATUS_SUCCESS);
    KT_STATUS(ObReferenceObjectByHandle(a, 0, *IoFileObjectType, KernelMode, (PVOID *)&fo, NULL), STATUS_SUCCESS);
    PFSD_FCB fcb = fo->FsContext;
    PFSD_VCB vcb = fo->Vpb->DeviceObject->DeviceExtension;
    FatFsdLock(vcb);
    NTSTATUS st = FatMapFileRange(fcb->File, 0, 1024, run, 4, &runs, &mapped);
    FatFsdUnlock(vcb);
    ObDereferenceObject(fo);
    KT_STATUS(st, STATUS_SUCCESS);
    KT_EQ(mapped, 1024);
    KT_EQ(runs, 2);                    /* not contiguous */
    KT_ASSERT(run[0].DiskOffset + 512 != run[1].DiskOffset);
    ZwClose(b);
    ZwClose(a);
    KT_STATUS(FsOpen(L"\\FRAGA.BIN", FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &nc, NULL), STATUS_SUCCESS);
    RtlZeroMemory(FspRead, 1024);
    KT_STATUS(FsReadAt(nc, 0, FspRead, 1024, &done), STATUS_SUCCESS);
    KT_EQ(done, 1024);
    KT_ASSERT(RtlEqualMemory(FspRead, FspWrite, 1024));
    ZwClose(nc);
}
