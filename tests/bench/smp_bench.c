/* tests/bench/smp_bench.c - multiprocessor costs (make bench boots these with -smp 2 and 4):
 * a spin lock every processor fights for, an IPI round trip, a DPC queued here run there, and
 * the file-system read workload with 1 versus 2 threads. */
#include "../fs/fsutil.h"
#include "../../kernel/ke/ki.h"
#include "../../kernel/hal/hal.h"

#define KBP_SMP_N 20000

static KSPIN_LOCK KbpSmpLock;
static volatile ULONG64 KbpSmpCounter;

/* IPI_LEVEL on every processor at once: all of them hammer the one lock. */
static ULONG_PTR KbpContend(ULONG_PTR Context)
{
    for (ULONG i = 0; i < (ULONG)Context; i++) {
        KeAcquireSpinLockAtDpcLevel(&KbpSmpLock);
        KbpSmpCounter++;
        KeReleaseSpinLockFromDpcLevel(&KbpSmpLock);
    }
    return 0;
}

static ULONG_PTR KbpNothing(ULONG_PTR Context) { return Context; }

static volatile LONG KbpDpcRuns;
static volatile ULONG KbpDpcProcessor;
static VOID KbpRemoteDpc(PKDPC Dpc, PVOID C, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(C); UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    KbpDpcProcessor = KeGetCurrentProcessorNumberEx(NULL);
    __atomic_add_fetch(&KbpDpcRuns, 1, __ATOMIC_RELEASE);
}

/* Names carry the processor count, so the -smp 2 and -smp 4 boots give separate rows. */
static VOID KbpReport(PCSTR What, ULONG Processors, ULONG64 Ops, ULONG64 Ticks)
{
    static CHAR names[8][48];
    static ULONG next;
    PCHAR n = names[next++ % ARRAYSIZE(names)];
    RtlStringCbPrintfA(n, sizeof(names[0]), "%s_%ucpu", What, Processors);
    KtBenchReport(n, Ops, Ticks);
}

/* The file-system read workload, 1 thread versus 2 on two processors: a 4 MiB file read
 * warm through the cache in 64 KiB requests, KBP_FS_PASSES passes in all, by one thread or
 * split between two threads bound to processors 0 and 1. The ratio is the scaling. */
#define KBP_FS_BYTES (4u << 20)
#define KBP_FS_CHUNK 65536u
#define KBP_FS_PASSES 8
typedef struct _KBP_READER { ULONG Passes; UCHAR Buffer[KBP_FS_CHUNK]; volatile NTSTATUS Status; } KBP_READER;
static KBP_READER KbpReaders[2];

static VOID KbpReader(PVOID Context)
{
    KBP_READER *r = Context;
    HANDLE h;
    ULONG done;
    r->Status = FsOpen(L"\\SMPREAD.BIN", FILE_OPEN, 0, &h, NULL);
    if (!NT_SUCCESS(r->Status))
        return;
    for (ULONG p = 0; p < r->Passes && NT_SUCCESS(r->Status); p++)
        for (ULONG off = 0; off < KBP_FS_BYTES && NT_SUCCESS(r->Status); off += KBP_FS_CHUNK)
            r->Status = FsReadAt(h, off, r->Buffer, KBP_FS_CHUNK, &done);
    ZwClose(h);
}

/* Runs Threads readers (on processors 0, 1), KBP_FS_PASSES passes between them; TSC ticks. */
static ULONG64 KbpReadWith(ULONG Threads)
{
    PKTHREAD t[2];
    ULONG64 t0 = __rdtsc();
    for (ULONG i = 0; i < Threads; i++) {
        KbpReaders[i].Passes = KBP_FS_PASSES / Threads;
        if (!NT_SUCCESS(KiCreateSystemThreadEx(KbpReader, &KbpReaders[i], 8, "bench-reader", (KAFFINITY)1 << i, &t[i])))
            return 0;
    }
    for (ULONG i = 0; i < Threads; i++) {
        KeWaitForSingleObject(t[i], Executive, KernelMode, FALSE, NULL);
        KiDereferenceThread(t[i]);
    }
    ULONG64 ticks = __rdtsc() - t0;
    for (ULONG i = 0; i < Threads; i++)
        if (!NT_SUCCESS(KbpReaders[i].Status))
            return 0;
    return ticks;
}

static VOID KbpFsReadScaling(ULONG Processors)
{
    HANDLE h;
    ULONG done;
    static UCHAR chunk[KBP_FS_CHUNK];
    if (!NT_SUCCESS(FsOpen(L"\\SMPREAD.BIN", FILE_OVERWRITE_IF, 0, &h, NULL))) {
        DbgPrint("BENCH-INFO smp: no file system for the read workload\n");
        return;
    }
    FsPattern(chunk, sizeof(chunk), 9);
    for (ULONG off = 0; off < KBP_FS_BYTES; off += KBP_FS_CHUNK)
        FsWriteAt(h, off, chunk, sizeof(chunk), &done);
    /* the handle stays open, so the cache keeps the file: every pass below reads it warm */
    KbpReadWith(1);
    ULONG64 one = KbpReadWith(1), two = KbpReadWith(2);
    ULONG64 requests = (ULONG64)KBP_FS_PASSES * (KBP_FS_BYTES / KBP_FS_CHUNK);
    if (one && two) {
        KbpReport("smp_fs_read_1_thread", Processors, requests, one);
        KbpReport("smp_fs_read_2_threads", Processors, requests, two);
        DbgPrint("BENCH-INFO smp: file-system read scaling, 2 threads on 2 processors / 1 thread = %llu.%02llux (%ucpu)\n",
                 one / two, one * 100 / two % 100, Processors);
    } else {
        DbgPrint("BENCH-INFO smp: file-system read workload failed\n");
    }
    FsMarkDelete(h);
    ZwClose(h);
}

KBENCH_DEFINE(smp)
{
    ULONG cpus = KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS);
    if (cpus < 2) {
        DbgPrint("BENCH-INFO smp: one processor, no multiprocessor rows (make bench boots -smp 2 and 4)\n");
        return;
    }
    KeInitializeSpinLock(&KbpSmpLock);
    KbpSmpCounter = 0;
    ULONG64 t0 = __rdtsc();
    KeIpiGenericCall(KbpContend, KBP_SMP_N);
    ULONG64 t = __rdtsc() - t0;
    if (KbpSmpCounter != (ULONG64)KBP_SMP_N * cpus)
        DbgPrint("BENCH-INFO smp: contended count %llu, expected %llu\n", KbpSmpCounter, (ULONG64)KBP_SMP_N * cpus);
    KbpReport("smp_spinlock_contended", cpus, (ULONG64)KBP_SMP_N * cpus, t);

    t0 = __rdtsc();
    for (ULONG i = 0; i < 500; i++)
        KeIpiGenericCall(KbpNothing, i);
    KbpReport("smp_ipi_generic_call_round_trip", cpus, 500, __rdtsc() - t0);

    /* queued on processor 0, run on the last one: insert to the routine's end, one at a time */
    KDPC d;
    KeInitializeDpc(&d, KbpRemoteDpc, NULL);
    KeSetTargetProcessorDpc(&d, (CCHAR)(cpus - 1));
    KeSetImportanceDpc(&d, HighImportance);
    KbpDpcRuns = 0;
    ULONG done = 0;
    t0 = __rdtsc();
    for (ULONG i = 0; i < 500; i++) {
        KeInsertQueueDpc(&d, NULL, NULL);
        for (ULONG64 spins = 0; __atomic_load_n(&KbpDpcRuns, __ATOMIC_ACQUIRE) == (LONG)i && spins < 100000000ULL; spins++)
            _mm_pause();
        done = (ULONG)KbpDpcRuns;
        if (done != i + 1)
            break;
    }
    t = __rdtsc() - t0;
    if (done != 500 || KbpDpcProcessor != cpus - 1)
        DbgPrint("BENCH-INFO smp: remote DPC ran %u of 500 times, last on processor %u\n", done, KbpDpcProcessor);
    KbpReport("smp_dpc_insert_to_run_remote", cpus, done, t);
    KbpFsReadScaling(cpus);
}
