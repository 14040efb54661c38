/* tests/fs/fshost_tests.c - the kernel half of the host-side file-system tests: run only by
 * tests/host/fat_*.sh, which make the image with mkfs.fat/mcopy, pass it with -initrd, and
 * check what the kernel wrote with fsck.fat and mtools (exported through debugcon). */
#include "fsutil.h"
#include "../../kernel/ke/ki.h"

#include "../../drivers/ramdisk/ramdisk.h"

static UCHAR FshBuf[65536];

/* The host put HOST.TXT (the digits 0-9 repeated to 10000 bytes) and SUB/LONG name.txt. */
KTEST_EX(fshost, mcopy_image_read_and_written, 0, "hostonly")
{
    ULONG done;
    HANDLE h;
    KT_STATUS(FsReadFile(L"\\HOST.TXT", FshBuf, sizeof(FshBuf), &done), STATUS_SUCCESS);
    KT_EQ(done, 10000);
    for (ULONG i = 0; i < done; i++)
        KT_EQ(FshBuf[i], '0' + i % 10);
    KT_STATUS(FsReadFile(L"\\SUB\\A rather long name.txt", FshBuf, sizeof(FshBuf), &done), STATUS_SUCCESS);
    KT_EQ(done, 6);
    KT_ASSERT(RtlEqualMemory(FshBuf, "nested", 6));
    /* what the host will check: a new file in a new directory, and a rewritten one */
    KT_STATUS(FsOpen(L"\\KERNEL", FILE_CREATE, FILE_DIRECTORY_FILE, &h, NULL), STATUS_SUCCESS);
    ZwClose(h);
    for (ULONG i = 0; i < 50000; i++)
        FshBuf[i] = (UCHAR)('a' + i % 26);
    KT_STATUS(FsWriteFile(L"\\KERNEL\\WROTE.TXT", FshBuf, 50000), STATUS_SUCCESS);
    KT_STATUS(FsWriteFile(L"\\HOST.TXT", "rewritten by IRQLab\n", 20), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\SUB\\A rather long name.txt", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsMarkDelete(h), STATUS_SUCCESS);
    ZwClose(h); /* the delete happens at this last cleanup; the dismount writes the FAT out */
    KT_STATUS(FsDismount(), STATUS_SUCCESS);
    KT_STATUS(FsDiskControl(IOCTL_RAMDISK_EXPORT_IMAGE, NULL, 0), STATUS_SUCCESS);
}

/* The host damaged the image; `fsexpect=0x...` says which status opening a file must give. */
KTEST_EX(fshost, damaged_image_is_refused_cleanly, 0, "hostonly")
{
    HANDLE h;
    ULONG64 expect = KiGetBootOptionNumber("fsexpect", 0);
    ULONG done;
    NTSTATUS s = FsOpen(L"\\HOST.TXT", FILE_OPEN, 0, &h, NULL);
    if (NT_SUCCESS(s)) { /* mounted: the damage is in the file's chain, found on read */
        s = FsReadAt(h, 0, FshBuf, sizeof(FshBuf), &done);
        ZwClose(h);
    }
    KT_STATUS(s, expect);
}
