/* tests/fs/cache_powercut_tests.c - a power cut (fault=powercut, kernel/vf) before the lazy
 * writer ran: booted by tests/host/cc_powercut.sh, which reads the exported disk with mtools. */
#include "fsutil.h"
#include <ntifs.h>
#include <irqlab/vf.h>

static UCHAR CpKeep[8192], CpSector[512];

#define CP_CUT_SECTOR 7990 /* inside the 4 MiB built-in disk, past what its FAT16 uses */

/* One synchronous sector write straight to the disk, below FAT and the cache. */
static NTSTATUS CpRawWrite(ULONG64 Sector, PVOID Buffer)
{
    UNICODE_STRING n = RTL_CONSTANT_STRING(L"\\Device\\RamDisk0");
    PFILE_OBJECT fo;
    PDEVICE_OBJECT d;
    IO_STATUS_BLOCK iosb = { 0 };
    KEVENT ev;
    LARGE_INTEGER off = { .QuadPart = (LONGLONG)(Sector * 512) };
    NTSTATUS s = IoGetDeviceObjectPointer(&n, FILE_WRITE_DATA, &fo, &d);
    if (!NT_SUCCESS(s))
        return s;
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    PIRP irp = IoBuildSynchronousFsdRequest(IRP_MJ_WRITE, d, Buffer, 512, &off, &ev, &iosb);
    s = irp ? IoCallDriver(d, irp) : STATUS_INSUFFICIENT_RESOURCES;
    if (s == STATUS_PENDING) {
        KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL);
        s = iosb.Status;
    }
    ObDereferenceObject(fo);
    return s;
}

/* Booted with cclazydelay=600000 (the lazy writer never wakes in time). KEEP.BIN is written
 * and flushed (bytes 0x40+k in its sector k); then its first sector is overwritten with 0xB5
 * and LOSE.BIN gets 4 KiB of 0xC6, neither flushed; then the power is cut right after one
 * raw write of 0xD7 to a free sector. The host finds KEEP.BIN whole with the flushed bytes,
 * the 0xD7 sector (so the cut came after that write, the rest of RAM lost), and no 0xB5 or
 * 0xC6 anywhere on the disk. */
KTEST_EX(cache, power_cut_before_the_lazy_writer_loses_only_unflushed_data, 0, "hostonly")
{
    HANDLE keep, lose;
    ULONG done;
    CC_STATISTICS st0, st;
    for (ULONG k = 0; k < sizeof(CpKeep) / 512; k++)
        RtlFillMemory(CpKeep + k * 512, 512, (UCHAR)(0x40 + k));
    KT_STATUS(FsOpen(L"\\KEEP.BIN", FILE_OVERWRITE_IF, 0, &keep, NULL), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\LOSE.BIN", FILE_OVERWRITE_IF, 0, &lose, NULL), STATUS_SUCCESS);
    KT_STATUS(FsWriteAt(keep, 0, CpKeep, sizeof(CpKeep), &done), STATUS_SUCCESS);
    CcQueryStatistics(&st0); /* the first cached write started the lazy writer */
    KT_EQ(st0.LazyWriteDelayMs, 600000);
    KT_ASSERT(!FsDiskHoldsSector(CpKeep + 512)); /* cached only, until the flush */
    KT_STATUS(FsFlush(keep), STATUS_SUCCESS);
    KT_ASSERT(FsDiskHoldsSector(CpKeep + 512));
    RtlFillMemory(CpSector, 512, 0xB5);
    KT_STATUS(FsWriteAt(keep, 0, CpSector, 512, &done), STATUS_SUCCESS);
    KT_ASSERT(!FsDiskHoldsSector(CpSector));
    static UCHAR lost[4096];
    RtlFillMemory(lost, sizeof(lost), 0xC6);
    KT_STATUS(FsWriteAt(lose, 0, lost, sizeof(lost), &done), STATUS_SUCCESS);
    KT_ASSERT(!FsDiskHoldsSector(lost));
    CcQueryStatistics(&st);
    KT_EQ(st.LazyWriterViews, st0.LazyWriterViews); /* the lazy writer has not written anything */
    KT_EQ(st.DirtyViews, st0.DirtyViews + 1); /* st0 counted KEEP.BIN: dirty again, and LOSE.BIN */
    /* the cut: after the next disk write lands, nothing more reaches the disk */
    KT_STATUS(VfConfigure("powercut:nth=1"), STATUS_SUCCESS);
    RtlFillMemory(CpSector, 512, 0xD7);
    CpRawWrite(CP_CUT_SECTOR, CpSector);
    KtFail(__FILE__, __LINE__, "the power stayed on after the write");
}
