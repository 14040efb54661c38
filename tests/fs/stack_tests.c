/* tests/fs/stack_tests.c - the three layers as a stack: the IRQL every completion routine
 * ran at (recorded by the drivers themselves), the filter's posted-to-worker path, and the
 * RAM disk's real interrupts behind it all. */
#include "fsutil.h"
#include <ntifs.h>
#include "../../drivers/filter/filter.h"
#include "../../drivers/fat/fsd.h"
#include "../../drivers/ramdisk/ramdisk.h"
#include "../../kernel/ke/ki.h"

static NTSTATUS FsStackDiskStats(PRAMDISK_STATS Stats)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\RamDisk0");
    PFILE_OBJECT fo;
    PDEVICE_OBJECT dev;
    NTSTATUS s = IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &fo, &dev);
    if (NT_SUCCESS(s)) {
        PRAMDISK_EXTENSION ext = dev->DeviceExtension; /* nothing is attached above the disk */
        *Stats = ext->Stats;
        ObDereferenceObject(fo);
    }
    return s;
}

/* A workload: create, write, flush (posted by the filter), read back, delete. Non-cached, so
 * every transfer is an IRP that reaches the disk. */
static VOID FsStackWorkload(void)
{
    static UCHAR buf[8192];
    HANDLE h;
    ULONG done;
    FsPattern(buf, sizeof(buf), 3);
    if (NT_SUCCESS(FsOpen(L"\\STACK.BIN", FILE_OVERWRITE_IF, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL))) {
        FsWriteAt(h, 0, buf, sizeof(buf), &done);
        FsFlush(h);
        FsReadAt(h, 0, buf, sizeof(buf), &done);
        FsMarkDelete(h);
        ZwClose(h);
    }
}

KTEST(fsstack, async_disk_completions_run_at_dispatch_after_real_interrupts)
{
    FILTER_STATS f;
    RAMDISK_STATS d;
    RAMDISK_STATS d0;
    ULONG64 before[3] = { FatFsdDiskCompletionIrql[0], FatFsdDiskCompletionIrql[1], FatFsdDiskCompletionIrql[2] };
    KT_STATUS(FsStackDiskStats(&d0), STATUS_SUCCESS);
    ULONG64 delivered = KiVectorDeliveries[RD_VECTOR];
    FltResetStats();
    FsStackWorkload();
    FltGetStats(&f);
    KT_STATUS(FsStackDiskStats(&d), STATUS_SUCCESS);
    KT_ASSERT(d.Interrupts > d0.Interrupts);      /* the disk's ISR ran ... */
    /* ... once per interrupt the CPU delivered on the disk's vector (counted in the trap path) */
    KT_EQ(KiVectorDeliveries[RD_VECTOR] - delivered, d.Interrupts - d0.Interrupts);
    KT_EQ(d.Interrupts - d0.Interrupts, d.Dpcs - d0.Dpcs); /* one DPC per interrupt */
    KT_EQ(d.LastCompletionIrql, DISPATCH_LEVEL);  /* the disk completes from its DPC */
    KT_ASSERT(FatFsdDiskCompletionIrql[2] > before[2]); /* FAT's routines at DISPATCH_LEVEL */
    KT_EQ(FatFsdDiskCompletionIrql[0], before[0]);      /* and never at PASSIVE_LEVEL */
    KT_ASSERT(f.Requests[IRP_MJ_WRITE] >= 1 && f.Completions[IRP_MJ_WRITE] >= 1);
    KT_ASSERT(f.Requests[IRP_MJ_READ] >= 1 && f.BytesRead >= 8192 && f.BytesWritten >= 8192);
    KT_EQ(f.Posted, 1);                           /* the flush: case 2 */
    KT_EQ(f.PostedFinishedAtPassive, 1);
    KT_EQ(f.Failures, 0);
}

KTEST_EX(fsstack, sync_disk_completions_run_at_passive, 0, "ramdisk.sync")
{
    RAMDISK_STATS d;
    ULONG64 before[3] = { FatFsdDiskCompletionIrql[0], FatFsdDiskCompletionIrql[1], FatFsdDiskCompletionIrql[2] };
    FsStackWorkload();
    KT_STATUS(FsStackDiskStats(&d), STATUS_SUCCESS);
    KT_EQ(d.Interrupts, 0);                       /* no controller: done in the dispatch routine */
    KT_EQ(d.LastCompletionIrql, PASSIVE_LEVEL);
    KT_ASSERT(FatFsdDiskCompletionIrql[0] > before[0]);
    KT_EQ(FatFsdDiskCompletionIrql[2], before[2]);
}

KTEST_EX(fsstack, pit_latency_disk_completes_through_the_io_apic, 0, "ramdisk.latency=200")
{
    RAMDISK_STATS d, d0;
    ULONG64 before = FatFsdDiskCompletionIrql[2];
    KT_STATUS(FsStackDiskStats(&d0), STATUS_SUCCESS);
    ULONG64 delivered = KiVectorDeliveries[RD_VECTOR];
    FsStackWorkload();
    KT_STATUS(FsStackDiskStats(&d), STATUS_SUCCESS);
    KT_ASSERT(d.Interrupts > d0.Interrupts);
    /* Every interrupt the ISR claimed was delivered by the I/O APIC (counted at the IDT). An
     * edge the PIT made while its pin was masked is latched and arrives when the disk first
     * unmasks it, with nothing in flight: the ISR says "not mine" and counts it spurious. */
    KT_EQ(KiVectorDeliveries[RD_VECTOR] - delivered, (d.Interrupts - d0.Interrupts) + (d.Spurious - d0.Spurious));
    KT_ASSERT(d.Spurious - d0.Spurious <= 1); /* at most that one stale edge */
    KT_EQ(d.LastCompletionIrql, DISPATCH_LEVEL);
    KT_ASSERT(FatFsdDiskCompletionIrql[2] > before);
}

/* The open's stack: the top device is the filter's, attached to FAT's volume device (the
 * VPB's), and this one create went through the filter and came back through its routine. */
KTEST(fsstack, filter_is_attached_above_the_volume)
{
    FILTER_STATS f;
    HANDLE h;
    PFILE_OBJECT fo;
    KT_STATUS(FsOpen(L"\\HELLO.TXT", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS); /* mounts */
    ZwClose(h);
    FltResetStats();
    KT_STATUS(FsOpen(L"\\HELLO.TXT", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
    FltGetStats(&f);
    KT_EQ(f.Requests[IRP_MJ_CREATE], 1); /* creates pass the filter (case 1 path) */
    KT_EQ(f.Completions[IRP_MJ_CREATE], 1);
    KT_STATUS(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, (PVOID *)&fo, NULL), STATUS_SUCCESS);
    PDEVICE_OBJECT top = IoGetRelatedDeviceObject(fo), volume = fo->Vpb ? fo->Vpb->DeviceObject : NULL;
    ObDereferenceObject(fo);
    ZwClose(h);
    KT_ASSERT(volume != NULL);
    KT_ASSERT(top->DriverObject == FltDriverObject);
    KT_ASSERT(((PFILTER_EXTENSION)top->DeviceExtension)->IsVolume);
    /* Load order: the Filter Manager's frame sits on the volume, the legacy filter on it. */
    PDEVICE_OBJECT frame = ((PFILTER_EXTENSION)top->DeviceExtension)->AttachedTo;
    KT_ASSERT(frame != NULL && frame->DriverObject != FltDriverObject);
    KT_ASSERT(frame->DeviceObjectExtension->AttachedTo == volume);
    KT_ASSERT(volume->AttachedDevice == frame && frame->AttachedDevice == top);
    KT_ASSERT(volume->DriverObject != FltDriverObject);
}

/* Counts trace records from Sequence on: completion routines of Driver (or, with Driver NULL,
 * the routine named Routine) for IRP_MJ_READ, at each IRQL bucket. */
static VOID FsStackTraceIrqls(ULONG Sequence, PDRIVER_OBJECT Driver, PCSTR Routine, ULONG Counts[3])
{
    static IO_TRACE_RECORD recs[512];
    ULONG n = IoQueryIrpTrace(NULL, Sequence, recs, ARRAYSIZE(recs));
    Counts[0] = Counts[1] = Counts[2] = 0;
    for (ULONG i = 0; i < n; i++) {
        ULONG64 off;
        PCSTR sym = KiLookupSymbol((ULONG64)recs[i].Routine, &off);
        if (recs[i].Kind != IO_TRACE_COMPLETION || recs[i].MajorFunction != IRP_MJ_READ)
            continue;
        if (Driver ? recs[i].DriverObject == Driver : (sym && off == 0 && RtlEqualMemory(sym, Routine, strlen(Routine) + 1)))
            Counts[recs[i].Irql >= DISPATCH_LEVEL ? 2 : recs[i].Irql]++;
    }
}

/* Four non-cached reads (no read-ahead): aligned, inside one sector, head + middle + tail, and
 * one clipped at end of file. Each must come back byte-exact with every layer's completion routine at the expected IRQL. */
static VOID FsStackReads(KIRQL Expected, PULONG Filter, PULONG Fat)
{
    static UCHAR pattern[9000], back[5001]; /* one guard byte past the longest read */
    static const ULONG at[4] = { 0, 700, 10, 8190 }, len[4] = { 4096, 100, 5000, 2000 };
    HANDLE h;
    ULONG done, got = 0, counts[3];
    FsPattern(pattern, sizeof(pattern), 11);
    if (!NT_SUCCESS(FsWriteFile(L"\\READS.BIN", pattern, sizeof(pattern))) ||
        !NT_SUCCESS(FsOpen(L"\\READS.BIN", FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL)))
        return;
    FltResetStats();
    ULONG seq = IoGetIrpTraceSequence();
    for (ULONG i = 0; i < 4; i++) {
        ULONG want = at[i] + len[i] > sizeof(pattern) ? sizeof(pattern) - at[i] : len[i];
        RtlFillMemory(back, sizeof(back), 0xEE);
        if (NT_SUCCESS(FsReadAt(h, at[i], back, len[i], &done)) && done == want &&
            RtlEqualMemory(back, pattern + at[i], want) && back[want] == 0xEE)
            got++;
    }
    ZwClose(h);
    FsStackTraceIrqls(seq, FltDriverObject, NULL, counts);
    *Filter = counts[Expected == DISPATCH_LEVEL ? 2 : 0] == 4 && counts[Expected == DISPATCH_LEVEL ? 0 : 2] == 0 ? got : 0;
    FsStackTraceIrqls(seq, NULL, "FatFsdpPieceDone", counts);
    *Fat = counts[Expected == DISPATCH_LEVEL ? 0 : 2] == 0 ? counts[Expected == DISPATCH_LEVEL ? 2 : 0] : 0;
}

/* Non-cached writes whose data needs no sector read first: an aligned 4 KiB overwrite, an
 * append of 1000 bytes ending the file, and an aligned extension with a gap. Content checked
 * afterwards (through the same handle, so without the cache too). */
static ULONG FsStackWrites(ULONG64 *AtIrql)
{
    static UCHAR data[8192], back[16384];
    HANDLE h;
    ULONG done, ok = 0;
    FILTER_STATS f;
    FsPattern(data, sizeof(data), 31);
    if (!NT_SUCCESS(FsOpen(L"\\WRITES.BIN", FILE_OVERWRITE_IF, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL)))
        return 0;
    FltResetStats();
    ok += NT_SUCCESS(FsWriteAt(h, 0, data, 4096, &done)) && done == 4096;
    ok += NT_SUCCESS(FsWriteAt(h, 4096, data + 4096, 1000, &done)) && done == 1000;
    ok += NT_SUCCESS(FsWriteAt(h, 12288, data, 2048, &done)) && done == 2048;
    FltGetStats(&f);
    AtIrql[0] = f.CompletionIrql[IRP_MJ_WRITE][0];
    AtIrql[2] = f.CompletionIrql[IRP_MJ_WRITE][2];
    RtlFillMemory(back, sizeof(back), 0xEE);
    ok += NT_SUCCESS(FsReadAt(h, 0, back, sizeof(back), &done)) && done == 14336;
    ok += RtlEqualMemory(back, data, 5096);
    for (ULONG i = 5096; i < 12288; i++)
        ok += back[i] != 0 ? 100 : 0; /* the gap reads back as zeros */
    ok += RtlEqualMemory(back + 12288, data, 2048);
    ZwClose(h);
    return ok;
}

KTEST(fsstack, every_layer_completes_writes_at_dispatch_with_the_async_disk)
{
    ULONG64 at[3] = { 0 };
    KT_EQ(FsStackWrites(at), 6);
    KT_EQ(at[2], 3);
    KT_EQ(at[0], 0);
}

KTEST_EX(fsstack, every_layer_completes_writes_at_passive_with_the_sync_disk, 0, "ramdisk.sync")
{
    ULONG64 at[3] = { 0 };
    KT_EQ(FsStackWrites(at), 6);
    KT_EQ(at[0], 3);
    KT_EQ(at[2], 0);
}

KTEST(fsstack, every_layer_completes_reads_at_dispatch_with_the_async_disk)
{
    FILTER_STATS f;
    ULONG filter, fat;
    FsStackReads(DISPATCH_LEVEL, &filter, &fat);
    KT_EQ(filter, 4);       /* four byte-exact reads, the filter's routine at DISPATCH for each */
    KT_ASSERT(fat >= 5);    /* FAT's per-piece routines: the third read has three pieces */
    FltGetStats(&f);
    KT_EQ(f.Completions[IRP_MJ_READ], 4);
    KT_EQ(f.CompletionIrql[IRP_MJ_READ][2], 4);
    KT_EQ(f.CompletionIrql[IRP_MJ_READ][0], 0);
    KT_EQ(f.PendingReturned, 4); /* FAT pended each one; the filter saw it and propagated it */
}

KTEST_EX(fsstack, every_layer_completes_reads_at_passive_with_the_sync_disk, 0, "ramdisk.sync")
{
    FILTER_STATS f;
    ULONG filter, fat;
    FsStackReads(PASSIVE_LEVEL, &filter, &fat);
    KT_EQ(filter, 4);
    KT_ASSERT(fat >= 5);
    FltGetStats(&f);
    KT_EQ(f.CompletionIrql[IRP_MJ_READ][0], 4);
    KT_EQ(f.CompletionIrql[IRP_MJ_READ][2], 0);
}

/* Sequential 4 KiB reads on a cached handle: the cache manager reads a whole 256 KiB view on a
 * miss and the next view ahead, so the disk sees one paging read per view, each completed at
 * DISPATCH_LEVEL from the disk's DPC, while the user's reads (the first an IRP, the rest fast
 * I/O) finish at PASSIVE_LEVEL; a cached write is seen by the next read; a read on a
 * non-cached handle is an IRP completed from the DPC again. */
KTEST(fsstack, sequential_small_reads_use_the_cache_managers_read_ahead)
{
    static UCHAR pattern[600 * 1024], back[4096];
    RAMDISK_STATS before, after;
    FILTER_STATS f;
    CC_STATISTICS cc;
    HANDLE h, raw;
    ULONG done, good = 0, n = 0;
    FsPattern(pattern, sizeof(pattern), 21);
    KT_STATUS(FsWriteFile(L"\\SEQ.BIN", pattern, sizeof(pattern)), STATUS_SUCCESS);
    KT_STATUS(FsOpen(L"\\SEQ.BIN", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
    KT_STATUS(FsStackDiskStats(&before), STATUS_SUCCESS);
    FltResetStats();
    CcResetStatistics();
    for (ULONG off = 0; off < sizeof(pattern); off += sizeof(back), n++)
        if (NT_SUCCESS(FsReadAt(h, off, back, sizeof(back), &done)) && done == sizeof(back) &&
            RtlEqualMemory(back, pattern + off, sizeof(back)))
            good++;
    KT_STATUS(FsStackDiskStats(&after), STATUS_SUCCESS);
    FltGetStats(&f);
    CcQueryStatistics(&cc);
    KT_EQ(good, n);
    KT_EQ(n, 150);
    KT_EQ(cc.PagingReads, 3);                    /* 600 KiB: three views, 256 + 256 + 88 KiB */
    KT_EQ(cc.ReadAheads, 2);                     /* views 1 and 2 came ahead of the reads needing them */
    KT_ASSERT(after.Reads - before.Reads >= 3);  /* each paging read is at least one disk read */
    KT_ASSERT(after.Reads - before.Reads <= 8);  /* not one per request */
    KT_EQ(f.CompletionIrql[IRP_MJ_READ][2], 3);  /* the paging reads, from the DPC */
    KT_EQ(f.CompletionIrql[IRP_MJ_READ][0] + f.FastIoPassed[FltFastIoRead], 150); /* the user's */

    /* overwrite bytes inside a cached view: the next read must see them */
    RtlFillMemory(back, sizeof(back), 0x5A);
    KT_STATUS(FsWriteAt(h, 196 * 1024, back, 100, &done), STATUS_SUCCESS);
    RtlZeroMemory(back, sizeof(back));
    KT_STATUS(FsReadAt(h, 196 * 1024, back, 200, &done), STATUS_SUCCESS);
    KT_ASSERT(back[0] == 0x5A && back[99] == 0x5A && back[100] == pattern[196 * 1024 + 100]);

    /* a non-cached handle: its read goes down as associated IRPs, after the cache was flushed */
    KT_STATUS(FsOpen(L"\\SEQ.BIN", FILE_OPEN, FILE_NO_INTERMEDIATE_BUFFERING, &raw, NULL), STATUS_SUCCESS);
    FltResetStats();
    KT_STATUS(FsReadAt(raw, 196 * 1024, back, 300, &done), STATUS_SUCCESS);
    KT_ASSERT(back[0] == 0x5A && back[99] == 0x5A && RtlEqualMemory(back + 100, pattern + 196 * 1024 + 100, 200));
    FltGetStats(&f);
    KT_EQ(f.CompletionIrql[IRP_MJ_READ][2], 1);
    KT_EQ(f.CompletionIrql[IRP_MJ_WRITE][2], 1); /* the flush's paging write went first */
    ZwClose(raw);
    ZwClose(h);
}

/* Reads and writes with buffers in paged pool: FAT locks them in an MDL, so they stay resident
 * while the RAM disk's DPC moves the data at DISPATCH_LEVEL, although verifier=all trims all
 * pageable memory on every raise to DISPATCH_LEVEL. */
KTEST(fsstack, paged_pool_buffers_are_locked_for_the_dpc)
{
    PUCHAR out = ExAllocatePoolWithTag(PagedPool, 3 * PAGE_SIZE, 'sFtK');
    PUCHAR in = ExAllocatePoolWithTag(PagedPool, 3 * PAGE_SIZE, 'sFtK');
    HANDLE h;
    ULONG done;
    FILTER_STATS f;
    KT_ASSERT(out && in);
    FsPattern(out, 3 * PAGE_SIZE, 41);
    RtlZeroMemory(in, 3 * PAGE_SIZE);
    KT_STATUS(FsOpen(L"\\PAGED.BIN", FILE_OVERWRITE_IF, FILE_NO_INTERMEDIATE_BUFFERING, &h, NULL), STATUS_SUCCESS);
    FltResetStats();
    MmTrimPagedPool();
    KT_STATUS(FsWriteAt(h, 0, out, 3 * PAGE_SIZE, &done), STATUS_SUCCESS);
    MmTrimPagedPool();
    KT_STATUS(FsReadAt(h, 0, in, 3 * PAGE_SIZE, &done), STATUS_SUCCESS);
    KT_EQ(done, 3 * PAGE_SIZE);
    FltGetStats(&f);
    KT_EQ(f.CompletionIrql[IRP_MJ_WRITE][2], 1); /* both really went through the DPC */
    KT_EQ(f.CompletionIrql[IRP_MJ_READ][2], 1);
    KT_ASSERT(RtlEqualMemory(in, out, 3 * PAGE_SIZE));
    ZwClose(h);
    ExFreePoolWithTag(out, 'sFtK');
    ExFreePoolWithTag(in, 'sFtK');
}

/* Eight reads queued at DISPATCH_LEVEL, so the controller has all of them before its first
 * interrupt's DPC can run. By default each request gets its own interrupt and DPC; a queueing
 * controller (ramdisk.batch=8) completes all eight from the first one's, still at DISPATCH_LEVEL
 * and with every byte right. */
#define FS_BATCH 8
static volatile LONG FsBatchDone;
static KIRQL FsBatchIrql[FS_BATCH];
static NTSTATUS FsBatchStatus[FS_BATCH];
static KEVENT FsBatchAllDone;

static NTSTATUS FsBatchCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    ULONG i = (ULONG)(ULONG_PTR)Context;
    UNREFERENCED_PARAMETER(DeviceObject);
    FsBatchIrql[i] = KeGetCurrentIrql();
    FsBatchStatus[i] = Irp->IoStatus.Status;
    if (Irp->MdlAddress->MdlFlags & MDL_PAGES_LOCKED)
        MmUnlockPages(Irp->MdlAddress);
    IoFreeMdl(Irp->MdlAddress);
    Irp->MdlAddress = NULL;
    IoFreeIrp(Irp);
    if (InterlockedIncrement(&FsBatchDone) == FS_BATCH)
        KeSetEvent(&FsBatchAllDone, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Sends the eight reads (sectors 0-7) and checks every one; returns the disk's counters'
 * growth in *Delta. */
static VOID FsBatchReads(PRAMDISK_STATS Delta)
{
    static UCHAR buf[FS_BATCH][512];
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\RamDisk0");
    PFILE_OBJECT fo;
    PDEVICE_OBJECT disk;
    RAMDISK_STATS s0, s1;
    KIRQL old;
    KT_STATUS(IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &fo, &disk), STATUS_SUCCESS);
    PRAMDISK_EXTENSION ext = disk->DeviceExtension;
    PIRP irp[FS_BATCH];
    for (ULONG i = 0; i < FS_BATCH; i++) {
        LARGE_INTEGER off = { .QuadPart = (LONGLONG)i * 512 };
        irp[i] = IoBuildAsynchronousFsdRequest(IRP_MJ_READ, disk, buf[i], 512, &off, NULL);
        KT_ASSERT(irp[i] != NULL);
        IoSetCompletionRoutine(irp[i], FsBatchCompletion, (PVOID)(ULONG_PTR)i, TRUE, TRUE, TRUE);
        FsBatchIrql[i] = 0xFF;
    }
    FsBatchDone = 0;
    KeInitializeEvent(&FsBatchAllDone, NotificationEvent, FALSE);
    s0 = ext->Stats;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    for (ULONG i = 0; i < FS_BATCH; i++)
        KT_STATUS(IoCallDriver(disk, irp[i]), STATUS_PENDING);
    KeLowerIrql(old);
    KT_STATUS(KeWaitForSingleObject(&FsBatchAllDone, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    s1 = ext->Stats;
    for (ULONG i = 0; i < FS_BATCH; i++) {
        KT_STATUS(FsBatchStatus[i], STATUS_SUCCESS);
        KT_EQ(FsBatchIrql[i], DISPATCH_LEVEL);
        KT_ASSERT(RtlEqualMemory(buf[i], ext->Image + i * 512, 512));
    }
    Delta->Interrupts = s1.Interrupts - s0.Interrupts;
    Delta->Dpcs = s1.Dpcs - s0.Dpcs;
    Delta->Reads = s1.Reads - s0.Reads;
    Delta->Batched = s1.Batched - s0.Batched;
    ObDereferenceObject(fo);
}

KTEST(fsstack, each_queued_request_gets_its_own_interrupt_by_default)
{
    RAMDISK_STATS d;
    FsBatchReads(&d);
    KT_EQ(d.Reads, FS_BATCH);
    KT_EQ(d.Interrupts, FS_BATCH);
    KT_EQ(d.Dpcs, FS_BATCH);
    KT_EQ(d.Batched, 0);
}

KTEST_EX(fsstack, a_queueing_controller_completes_a_batch_with_one_interrupt, 0, "ramdisk.batch=8")
{
    RAMDISK_STATS d;
    FsBatchReads(&d);
    KT_EQ(d.Reads, FS_BATCH);
    KT_EQ(d.Interrupts, 1);
    KT_EQ(d.Dpcs, 1);
    KT_EQ(d.Batched, FS_BATCH - 1);
}
