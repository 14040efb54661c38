/* tests/ke/smp_dpc_tests.c - DPCs and interrupts across processors: a targeted DPC runs on
 * its processor at DISPATCH_LEVEL, importance decides whether it interrupts that processor,
 * and an interrupt spin lock excludes the ISR on another processor. */
#include "../ktest.h"
#include "../../kernel/ke/ki.h"
#include "../../kernel/hal/hal.h"
#include "../ktspin.h"

static volatile LONG KtpDpcRuns;
static volatile ULONG KtpDpcProcessor;
static volatile KIRQL KtpDpcIrql;
static volatile BOOLEAN KtpDpcSawExecuting;

static VOID KtpRecordDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    KtpDpcProcessor = KeGetCurrentProcessorNumberEx(NULL);
    KtpDpcIrql = KeGetCurrentIrql();
    KtpDpcSawExecuting = KeIsExecutingDpc();
    __atomic_add_fetch(&KtpDpcRuns, 1, __ATOMIC_SEQ_CST);
}

/* Bounded (ktspin.h): waits for Count runs. */
static BOOLEAN KtpWaitRuns(LONG Count, ULONG Ms)
{
    return KT_SPIN_UNTIL(__atomic_load_n(&KtpDpcRuns, __ATOMIC_ACQUIRE) >= Count, Ms);
}

KTEST_EX(smpdpc, dpc_targeted_at_processor_1_runs_there_at_dispatch_level, 0, "smp=2")
{
    KDPC dpc;
    PROCESSOR_NUMBER pn = { 0, 1, 0 }, bad = { 0, 2, 0 };
    KT_EQ(KeGetCurrentProcessorNumberEx(NULL), 0);
    KeInitializeDpc(&dpc, KtpRecordDpc, NULL);
    KT_STATUS(KeSetTargetProcessorDpcEx(&dpc, &bad), STATUS_INVALID_PARAMETER);
    KT_STATUS(KeSetTargetProcessorDpcEx(&dpc, &pn), STATUS_SUCCESS);
    KtpDpcRuns = 0;
    KtpDpcProcessor = 99;
    ULONG64 before = KiProcessorBlock[1].DpcCount;
    KT_ASSERT(KeInsertQueueDpc(&dpc, NULL, NULL));
    KT_ASSERT(KtpWaitRuns(1, 1000));
    KT_EQ(KtpDpcProcessor, 1);
    KT_EQ(KtpDpcIrql, DISPATCH_LEVEL);
    KT_ASSERT(KtpDpcSawExecuting);
    /* Processor 1 counts the DPC after its routine returns, which may be after this processor
     * saw the routine's mark: wait (bounded) for the count rather than race it. */
    KT_SPIN_UNTIL(KiProcessorBlock[1].DpcCount != before, 1000);
    KT_EQ(KiProcessorBlock[1].DpcCount, before + 1);
    KT_ASSERT(!KeIsExecutingDpc()); /* per processor: this one is not */
}

/* Windows' rule for another processor's queue: High and MediumHigh interrupt it at once
 * (one DPC IPI each); Medium and Low wait for its clock tick or a deep queue. */
KTEST_EX(smpdpc, importance_decides_whether_the_other_processor_is_interrupted, 0, "smp=2")
{
    static KDPC dpcs[5];
    static const UCHAR imp[5] = { HighImportance, MediumHighImportance, MediumImportance, LowImportance,
                                  LowImportance };
    KIRQL old;
    PKPRCB p1 = &KiProcessorBlock[1];
    for (ULONG i = 0; i < 5; i++) {
        KeInitializeDpc(&dpcs[i], KtpRecordDpc, NULL);
        KeSetImportanceDpc(&dpcs[i], (KDPC_IMPORTANCE)imp[i]);
        KeSetTargetProcessorDpc(&dpcs[i], 1);
    }
    KtpDpcRuns = 0;
    /* DPC requests only: a TLB shootdown or a reschedule IPI may reach processor 1 meanwhile
     * (a timer of the system's expiring in host time: this boot is not under -icount). */
    ULONG64 ipis = p1->DpcIpiRequests, taken = p1->IpiCount;
    KT_ASSERT(KeInsertQueueDpc(&dpcs[0], NULL, NULL));
    KT_ASSERT(KtpWaitRuns(1, 1000));
    KT_EQ(p1->DpcIpiRequests, ipis + 1);
    /* and the interrupt is taken: perhaps after the DPC ran, if processor 1's clock tick
     * found the queued DPC first */
    KT_ASSERT(KT_SPIN_UNTIL(p1->IpiCount > taken, 1000));
    KT_ASSERT(KeInsertQueueDpc(&dpcs[1], NULL, NULL));
    KT_ASSERT(KtpWaitRuns(2, 1000));
    KT_EQ(p1->DpcIpiRequests, ipis + 2);
    /* Medium: no IPI; it runs at processor 1's next tick. */
    KT_ASSERT(KeInsertQueueDpc(&dpcs[2], NULL, NULL));
    KT_ASSERT(KtpWaitRuns(3, 1000));
    KT_EQ(p1->DpcIpiRequests, ipis + 2);
    /* Two low-importance DPCs: no IPI either; processor 1's tick picks them up. */
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_ASSERT(KeInsertQueueDpc(&dpcs[3], NULL, NULL));
    KT_ASSERT(KeInsertQueueDpc(&dpcs[4], NULL, NULL));
    KT_ASSERT(!KeInsertQueueDpc(&dpcs[4], NULL, NULL)); /* already queued, on another processor */
    KT_EQ(p1->DpcIpiRequests, ipis + 2);
    KeLowerIrql(old);
    KT_ASSERT(KtpWaitRuns(5, 1000));
    KT_EQ(p1->DpcIpiRequests, ipis + 2);
}

/* A queue KI_DPC_MAXIMUM_DEPTH (4) deep is drained at once even for low importance. */
static KDPC KtpDeep[4];
static volatile LONG KtpDeepQueued, KtpDeepRequests[4];
static ULONG_PTR KtpQueueDeep(ULONG_PTR Context)
{
    UNREFERENCED_PARAMETER(Context);
    if (KeGetCurrentProcessorNumberEx(NULL) != 0) {
        /* Processor 1 stays at IPI_LEVEL, serving nothing, and records what was asked of it
         * after each insert. */
        for (LONG seen = 0; seen < 4;) {
            LONG q = __atomic_load_n(&KtpDeepQueued, __ATOMIC_ACQUIRE);
            if (q <= 4 && q > seen) {
                KtpDeepRequests[q - 1] = KiProcessorBlock[1].IpiRequests;
                seen = q;
                __atomic_store_n(&KtpDeepQueued, q + 100, __ATOMIC_RELEASE);
            }
            _mm_pause();
        }
        return 0;
    }
    for (LONG i = 0; i < 4; i++) {
        KeInsertQueueDpc(&KtpDeep[i], NULL, NULL);
        __atomic_store_n(&KtpDeepQueued, i + 1, __ATOMIC_RELEASE);
        while (__atomic_load_n(&KtpDeepQueued, __ATOMIC_ACQUIRE) != i + 101)
            _mm_pause();
        __atomic_store_n(&KtpDeepQueued, i + 1, __ATOMIC_RELEASE);
    }
    return 0;
}

KTEST_EX(smpdpc, a_deep_queue_on_another_processor_is_drained_at_once, 0, "smp=2")
{
    for (ULONG i = 0; i < 4; i++) {
        KeInitializeDpc(&KtpDeep[i], KtpRecordDpc, NULL);
        KeSetImportanceDpc(&KtpDeep[i], LowImportance);
        KeSetTargetProcessorDpc(&KtpDeep[i], 1);
    }
    KtpDpcRuns = 0;
    KtpDeepQueued = 0;
    KeIpiGenericCall(KtpQueueDeep, 0);
    for (ULONG i = 0; i < 3; i++)
        KT_EQ(KtpDeepRequests[i] & KI_IPI_DPC, 0); /* depth 1..3: no request */
    KT_EQ(KtpDeepRequests[3] & KI_IPI_DPC, KI_IPI_DPC); /* the fourth insert asked processor 1 */
    KT_ASSERT(KtpWaitRuns(4, 1000));
    KT_EQ(KtpDpcProcessor, 1);
}

/* An ISR on processor 1 (a real fixed interrupt sent to it) against KeSynchronizeExecution on
 * processor 0: while the synchronized routine runs, processor 1 is inside the interrupt,
 * spinning on the interrupt spin lock, and the ISR has not run. */
#define KT_SYNC_VECTOR 0x61 /* class 6: DIRQL 6 */
static KINTERRUPT KtpInterrupt;
static volatile LONG KtpIsrRuns;
static volatile ULONG KtpIsrProcessor;
static volatile ULONG KtpShared, KtpIsrSawShared;

static BOOLEAN KtpIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    UNREFERENCED_PARAMETER(Interrupt); UNREFERENCED_PARAMETER(Context);
    KtpIsrProcessor = KeGetCurrentProcessorNumberEx(NULL);
    KtpIsrSawShared = KtpShared;
    __atomic_add_fetch(&KtpIsrRuns, 1, __ATOMIC_SEQ_CST);
    return TRUE;
}

static volatile ULONG KtpSyncIsrDuring, KtpSyncNestingSeen;
static BOOLEAN KtpSyncRoutine(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    HalSendIpi(KiProcessorBlock[1].ApicId, KT_SYNC_VECTOR);
    KtpShared = 1;
    for (ULONG i = 0; i < 2000; i++) {
        _mm_pause(); /* processor 1 gets to run */
        if (KiProcessorBlock[1].InterruptNesting)
            KtpSyncNestingSeen = 1;
        if (KtpIsrRuns)
            KtpSyncIsrDuring = 1;
    }
    KtpShared = 2; /* the ISR must only ever see the finished state */
    return TRUE;
}

KTEST_EX(smpdpc, synchronize_execution_excludes_the_isr_on_another_processor, 0, "smp=2")
{
    /* On processor 0 throughout: run from processor 1, the routine would send the interrupt to
     * its own processor, masked at DIRQL, and never see processor 1 inside it. */
    KAFFINITY previous = KeSetSystemAffinityThreadEx(1);
    KT_EQ(KeGetCurrentProcessorNumberEx(NULL), 0);
    KeInitializeInterrupt(&KtpInterrupt, KtpIsr, NULL, NULL, KT_SYNC_VECTOR, 6, 6, Latched);
    KT_ASSERT(KeConnectInterrupt(&KtpInterrupt));
    KtpIsrRuns = 0;
    KtpShared = 0;
    KtpSyncIsrDuring = KtpSyncNestingSeen = 0;
    KT_ASSERT(KeSynchronizeExecution(&KtpInterrupt, KtpSyncRoutine, NULL));
    KT_SPIN_UNTIL(KtpIsrRuns != 0, 1000);
    KeDisconnectInterrupt(&KtpInterrupt);
    KeRevertToUserAffinityThreadEx(previous);
    KT_EQ(KtpSyncNestingSeen, 1); /* processor 1 was in the interrupt meanwhile */
    KT_EQ(KtpSyncIsrDuring, 0);
    KT_EQ(KtpIsrRuns, 1);
    KT_EQ(KtpIsrProcessor, 1);
    KT_EQ(KtpIsrSawShared, 2);
}

/* The DPC watchdog runs on every processor's own clock: a DPC spinning on processor 1 is
 * charged processor 1's ticks and stops the system from there (0x133, P1 0, its time count,
 * the allotment: dpcwatchdog=50 at 1000 Hz is 50 ticks, the stop comes on the 51st). */
static VOID KtpSpinForever(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc), UNREFERENCED_PARAMETER(Context), UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    for (;;)
        _mm_pause(); /* its clock interrupt still arrives: CLOCK_LEVEL > DISPATCH_LEVEL */
}

KTEST_EX(smpdpc, a_dpc_running_too_long_on_processor_1_stops_with_0x133, DPC_WATCHDOG_VIOLATION,
         "smp=2 dpcwatchdog=50")
{
    static KDPC d;
    KeInitializeDpc(&d, KtpSpinForever, NULL);
    KeSetTargetProcessorDpc(&d, 1);
    KeSetImportanceDpc(&d, HighImportance);
    KtExpectBugCheck(0, 51, 50, 0);
    KeInsertQueueDpc(&d, NULL, NULL);
    KT_SPIN_UNTIL(FALSE, 5000); /* processor 0 stays below DISPATCH_LEVEL, its watchdog idle */
    KT_ASSERT(!"processor 1's DPC ran past its allotment unnoticed");
}
