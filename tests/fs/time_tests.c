/* tests/fs/time_tests.c - files FAT creates and writes carry the system time: FileBasicInformation
 * of a new file, read back through a fresh open, lies within the window the test measured. */
#include "fsutil.h"

#define FSTP_TWO_SECONDS 20000000LL /* FAT keeps write times to 2 s */

static NTSTATUS FstpBasic(PCWSTR Path, PFILE_BASIC_INFORMATION Basic)
{
    IO_STATUS_BLOCK iosb;
    HANDLE h;
    NTSTATUS s = FsOpen(Path, FILE_OPEN, 0, &h, NULL);
    if (!NT_SUCCESS(s))
        return s;
    s = ZwQueryInformationFile(h, &iosb, Basic, sizeof(*Basic), FileBasicInformation);
    ZwClose(h);
    return s;
}

/* FAT rounds times down to its 2-second grain, so the window opens at the grain below Before. */
static BOOLEAN FstpWithin(LARGE_INTEGER Before, LARGE_INTEGER After, LARGE_INTEGER Stamp)
{
    return Stamp.QuadPart >= Before.QuadPart - Before.QuadPart % FSTP_TWO_SECONDS &&
           Stamp.QuadPart <= After.QuadPart + FSTP_TWO_SECONDS;
}

KTEST(fstime, new_file_is_stamped_with_the_system_time)
{
    LARGE_INTEGER before, after;
    FILE_BASIC_INFORMATION b;
    HANDLE h;
    ULONG done;

    KeQuerySystemTime(&before);
    KT_STATUS(FsOpen(L"\\STAMPED.TXT", FILE_CREATE, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(h, 0, "time stamped\n", 13, &done), STATUS_SUCCESS);
    ZwClose(h);
    KeQuerySystemTime(&after);

    KT_STATUS(FstpBasic(L"\\STAMPED.TXT", &b), STATUS_SUCCESS);
    KT_ASSERT(FstpWithin(before, after, b.CreationTime));
    KT_ASSERT(FstpWithin(before, after, b.LastWriteTime));
    KT_ASSERT(b.LastWriteTime.QuadPart >= b.CreationTime.QuadPart - FSTP_TWO_SECONDS);
}

/* A directory made by the kernel is stamped too (its entry is written by another path). */
KTEST(fstime, new_directory_is_stamped_with_the_system_time)
{
    LARGE_INTEGER before, after;
    FILE_BASIC_INFORMATION b;
    HANDLE h;

    KeQuerySystemTime(&before);
    KT_STATUS(FsOpen(L"\\STAMPDIR", FILE_CREATE, FILE_DIRECTORY_FILE, &h, NULL), STATUS_SUCCESS);
    ZwClose(h);
    KeQuerySystemTime(&after);
    KT_STATUS(FstpBasic(L"\\STAMPDIR", &b), STATUS_SUCCESS);
    KT_ASSERT(FstpWithin(before, after, b.CreationTime));
    KT_ASSERT(FstpWithin(before, after, b.LastWriteTime));
}
