/* tests/vf/vfdelay_tests.c - fault=delay: seeded sleeps before system worker items and seeded
 * stalls before DPC routines really happen, and the same seed draws the same delays. */
#include "../ktest.h"
#include <irqlab/vf.h>

static struct {
    WORK_QUEUE_ITEM Item;
    KEVENT Done;
    LARGE_INTEGER Queued, Ran;
    ULONG DelayUs;
} KtpDelay;

static VOID KtpDelayItem(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KtpDelay.Ran = KeQueryPerformanceCounter(NULL);
    KtpDelay.DelayUs = VfLastDelayUs();
    KeSetEvent(&KtpDelay.Done, IO_NO_INCREMENT, FALSE);
}

/* One work item through the delayed queue; the microseconds from queueing to its routine. */
static ULONG64 KtpRunItem(void)
{
    LARGE_INTEGER freq;
    KeInitializeEvent(&KtpDelay.Done, NotificationEvent, FALSE);
    ExInitializeWorkItem(&KtpDelay.Item, KtpDelayItem, NULL);
    KtpDelay.DelayUs = ~0u;
    KtpDelay.Queued = KeQueryPerformanceCounter(&freq);
    ExQueueWorkItem(&KtpDelay.Item, DelayedWorkQueue);
    KeWaitForSingleObject(&KtpDelay.Done, Executive, KernelMode, FALSE, NULL);
    return (ULONG64)(KtpDelay.Ran.QuadPart - KtpDelay.Queued.QuadPart) * 1000000 / (ULONG64)freq.QuadPart;
}

KTEST(vf, delay_rule_sleeps_before_each_worker_item_for_its_seeded_time)
{
    ULONG64 plain = KtpRunItem();
    KT_STATUS(VfConfigure("delay:site=worker,driver=KtpDelay,max=20000,seed=7"), STATUS_SUCCESS);
    ULONG longest = 0;
    for (ULONG i = 0; i < 6; i++) {
        ULONG64 took = KtpRunItem();
        KT_ASSERT(KtpDelay.DelayUs != ~0u);
        /* the sleep is at least the delay, less one clock tick of rounding */
        KT_ASSERT(took + 1000 >= KtpDelay.DelayUs);
        if (KtpDelay.DelayUs > longest)
            longest = KtpDelay.DelayUs;
    }
    ULONG64 calls, faults;
    VfQuerySite(VfSiteDelayWorker, &calls, &faults);
    VfReset();
    KT_EQ(faults, 6);
    KT_ASSERT(longest > 5000); /* six draws up to 20 ms: at least one long sleep */
    KT_ASSERT(plain < 5000);   /* without the rule the item runs at once */
}

KTEST(vf, delay_rule_draws_the_same_worker_delays_for_the_same_seed)
{
    ULONG a[8], b[8], c[8];
    ULONG *runs[3] = { a, b, c };
    static const PCSTR specs[3] = { "delay:site=worker,driver=KtpDelay,max=300,seed=11",
                                    "delay:site=worker,driver=KtpDelay,max=300,seed=11",
                                    "delay:site=worker,driver=KtpDelay,max=300,seed=12" };
    for (ULONG r = 0; r < 3; r++) {
        KT_STATUS(VfConfigure(specs[r]), STATUS_SUCCESS);
        for (ULONG i = 0; i < 8; i++) {
            KtpRunItem();
            runs[r][i] = KtpDelay.DelayUs;
        }
        VfReset();
    }
    KT_ASSERT(RtlCompareMemory(a, b, sizeof(a)) == sizeof(a));
    KT_ASSERT(RtlCompareMemory(a, c, sizeof(a)) != sizeof(a));
}

static KDPC KtpDelayDpc;
static volatile LARGE_INTEGER KtpDpcRan;
static volatile ULONG KtpDpcDelay;

static VOID KtpDelayDpcRoutine(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    KtpDpcRan = KeQueryPerformanceCounter(NULL);
    KtpDpcDelay = VfLastDelayUs();
}

KTEST(vf, delay_rule_stalls_before_a_dpc_routine_for_its_seeded_time)
{
    LARGE_INTEGER freq;
    KeInitializeDpc(&KtpDelayDpc, KtpDelayDpcRoutine, NULL);
    KT_STATUS(VfConfigure("delay:site=dpc,driver=KtpDelay,max=4000,seed=3"), STATUS_SUCCESS);
    ULONG checked = 0;
    for (ULONG i = 0; i < 4; i++) {
        KtpDpcRan.QuadPart = 0;
        KtpDpcDelay = ~0u;
        LARGE_INTEGER t0 = KeQueryPerformanceCounter(&freq);
        KeInsertQueueDpc(&KtpDelayDpc, NULL, NULL); /* runs at once: we are below DISPATCH_LEVEL */
        KT_ASSERT(KtpDpcRan.QuadPart != 0);
        ULONG64 took = (ULONG64)(KtpDpcRan.QuadPart - t0.QuadPart) * 1000000 / (ULONG64)freq.QuadPart;
        KT_ASSERT(KtpDpcDelay != ~0u);
        KT_ASSERT(took >= KtpDpcDelay); /* a busy stall: never shorter */
        checked += KtpDpcDelay > 0;
    }
    ULONG64 calls, faults;
    VfQuerySite(VfSiteDelayDpc, &calls, &faults);
    VfReset();
    KT_EQ(faults, 4);
    KT_ASSERT(checked > 0);
}
