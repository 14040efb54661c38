/* tests/fs/rename_powercut_tests.c - a power cut after each write of a rename: booted by
 * tests/host/fat_rename_powercut.sh, which judges the exported disk with fsck.fat and mtools. */
#include "fsutil.h"
#include <irqlab/vf.h>
#include <ntstrsafe.h>
#include "../../kernel/ke/ki.h" /* KiGetBootOptionNumber: the host picks the cut */

static UCHAR RpData[4096];

/* Booted with rncut=K and rnlong=0|1. A flushed 4 KiB file (sector k filled with 0x60+k) is
 * renamed with the power cut after the rename's K-th disk write. rnlong=0 renames RNOLD.BIN to
 * RNNEW.BIN (8.3 in one directory: rewritten in place), rnlong=1 renames "Rename old name.bin"
 * (a long name) to RNNEW.BIN (the three-step move). The host finds no two names on one chain
 * and the data under at most one name. A K past the rename's last write ends the test here. */
KTEST_EX(fsfault, rename_with_the_power_cut_after_its_kth_write, 0, "hostonly")
{
    ULONG k = (ULONG)KiGetBootOptionNumber("rncut", 1);
    PCWSTR old = KiBootOptionPresent("rnlong") ? L"\\Rename old name.bin" : L"\\RNOLD.BIN";
    HANDLE h;
    ULONG done;
    CHAR spec[32];
    for (ULONG s = 0; s < sizeof(RpData) / 512; s++)
        RtlFillMemory(RpData + s * 512, 512, (UCHAR)(0x60 + s));
    KT_STATUS(FsOpen(old, FILE_OVERWRITE_IF, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(h, 0, RpData, sizeof(RpData), &done), STATUS_SUCCESS);
    KT_STATUS(FsFlush(h), STATUS_SUCCESS);
    KT_STATUS(RtlStringCbPrintfA(spec, sizeof(spec), "powercut:nth=%u", k), STATUS_SUCCESS);
    KT_STATUS(VfConfigure(spec), STATUS_SUCCESS);
    NTSTATUS s = FsRename(h, L"RNNEW.BIN", FALSE);
    DbgPrint("RENAME-DONE 0x%08x before the cut\n", (ULONG)s);
    VfReset();
    ZwClose(h);
}
