/* labs/irql_dpc/grader/irql_dpc_grader.c - the grader's tests for the IRQL-and-DPC lab: the
 * student's sampler driven through its IOCTLs by real threads while its real timer fires. */
#include "labgrade.h"
#include "../../../tests/ke/kthread_util.h"
#include <lab_sampler.h>

static LAB_SNAPSHOT GrsSnap[3]; /* one per thread that reads (main, hammer, narrated) */

static PLAB_SAMPLER_EXTENSION GrsExt(void)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(LAB_SAMPLER_DEVICE);
    PFILE_OBJECT fo;
    PDEVICE_OBJECT dev;
    if (!NT_SUCCESS(IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &fo, &dev)))
        return NULL;
    ObDereferenceObject(fo); /* the device itself stays: the driver never unloads */
    return dev->DeviceExtension;
}

static NTSTATUS GrsStart(ULONG PeriodMs)
{
    return GradeIoctl(LAB_SAMPLER_DEVICE, IOCTL_LAB_START, &PeriodMs, sizeof(PeriodMs), NULL, 0, NULL);
}
static NTSTATUS GrsStop(void) { return GradeIoctl(LAB_SAMPLER_DEVICE, IOCTL_LAB_STOP, NULL, 0, NULL, 0, NULL); }
static NTSTATUS GrsGet(PLAB_SNAPSHOT Out)
{
    ULONG_PTR info;
    NTSTATUS s = GradeIoctl(LAB_SAMPLER_DEVICE, IOCTL_LAB_GET_SAMPLES, NULL, 0, Out, sizeof(*Out), &info);
    return NT_SUCCESS(s) && info != sizeof(*Out) ? STATUS_INFO_LENGTH_MISMATCH : s;
}
static VOID GrsSleepMs(LONG Ms)
{
    LARGE_INTEGER t = KtMs(Ms);
    KeDelayExecutionThread(KernelMode, FALSE, &t);
}

/* The invariant of lab_sampler.h; returns the first sample number that breaks it (a sample
 * missing from the window, or one newer than Generation), or 0. */
static ULONG64 GrsTorn(const LAB_SNAPSHOT *s)
{
    if (s->Tail != s->Generation)
        return s->Tail > s->Generation ? s->Tail : s->Generation;
    for (ULONG64 k = 0; k < LAB_SAMPLES && k < s->Generation; k++) {
        ULONG64 g = s->Generation - k;
        if (s->Samples[g % LAB_SAMPLES].Sequence != g)
            return g;
    }
    for (ULONG i = 0; i < LAB_SAMPLES; i++)
        if (s->Samples[i].Sequence > s->Generation)
            return s->Samples[i].Sequence;
    return 0;
}

#define GRS_START_OR_FAIL(ms)                                                                     \
    do {                                                                                           \
        NTSTATUS _s = GrsStart(ms);                                                               \
        LAB_CHECK(NT_SUCCESS(_s), "IOCTL_LAB_START(%u ms) failed with 0x%08x (TODO 1)", (ULONG)(ms), (ULONG)_s); \
    } while (0)

KTEST(irql_dpc, dpc_runs_at_dispatch_from_the_timer)
{
    PLAB_SNAPSHOT s = &GrsSnap[0];
    PLAB_SAMPLER_EXTENSION ext = GrsExt();
    GradeBegin();
    KT_ASSERT(ext);
    GRS_START_OR_FAIL(2);
    LAB_CHECK(ext->Timer.Dpc == &ext->Dpc && ext->Timer.Period == 2,
              "after IOCTL_LAB_START(2 ms) ext->Timer is not a periodic timer (period %d ms) with ext->Dpc: use "
              "KeSetTimerEx(&ext->Timer, due, 2, &ext->Dpc)", (int)ext->Timer.Period);
    GrsSleepMs(100);
    GrsStop();
    LAB_CHECK(NT_SUCCESS(GrsGet(s)), "IOCTL_LAB_GET_SAMPLES failed");
    ULONG64 g = s->Generation;
    LAB_CHECK(g >= 30 && g <= 70, "in 100 ms with a 2 ms period your DPC took %llu samples, about 50 were due "
              "(TODO 2: one sample per DPC)", g);
    LAB_CHECK(!GrsTorn(s), "after IOCTL_LAB_STOP the ring is not what the DPC should have written: sample %llu "
              "is not in Samples[%llu %% LAB_SAMPLES]", GrsTorn(s), GrsTorn(s));
    for (ULONG64 k = 0; k < g && k < LAB_SAMPLES; k++) {
        PLAB_SAMPLE p = &s->Samples[(g - k) % LAB_SAMPLES];
        LAB_CHECK(p->Irql == DISPATCH_LEVEL && p->InDpc, "sample %llu was taken at IRQL %u (in a DPC: %u): a timer's "
                  "DPC runs at DISPATCH_LEVEL", p->Sequence, p->Irql, p->InDpc);
        if (k + 1 < g && k + 1 < LAB_SAMPLES) {
            ULONG64 gap = p->InterruptTime - s->Samples[(g - k - 1) % LAB_SAMPLES].InterruptTime;
            LAB_CHECK(gap >= 10000 && gap <= 40000, "samples %llu and %llu are %llu.%03llu ms apart; the timer's "
                      "period is 2 ms", p->Sequence - 1, p->Sequence, gap / 10000, gap / 10 % 1000);
        }
    }
    GrsSleepMs(20);
    LAB_CHECK(NT_SUCCESS(GrsGet(s)), "IOCTL_LAB_GET_SAMPLES failed");
    LAB_CHECK(s->Generation == g, "%llu samples were taken after IOCTL_LAB_STOP returned (TODO 3: cancel the timer)",
              s->Generation - g);
}

typedef struct _LABS_HAMMER {
    ULONG64 Until;          /* interrupt time to stop at */
    PLAB_SNAPSHOT Buffer;
    ULONG Snapshots, Torn;
    ULONG64 FirstTorn, TornGeneration, TornTail;
} GRS_HAMMER;

/* Reads snapshots back to back until the deadline, checking each one. */
static VOID GrsHammer(PVOID Context)
{
    GRS_HAMMER *h = Context;
    while (KeQueryInterruptTime() < h->Until) {
        if (!NT_SUCCESS(GrsGet(h->Buffer)))
            break;
        h->Snapshots++;
        ULONG64 bad = GrsTorn(h->Buffer);
        if (bad && !h->Torn++) {
            h->FirstTorn = bad;
            h->TornGeneration = h->Buffer->Generation;
            h->TornTail = h->Buffer->Tail;
        }
    }
}

KTEST(irql_dpc, ioctl_view_is_consistent_while_hammered)
{
    GRS_HAMMER a = { 0 }, b = { 0 };
    GradeBegin();
    GRS_START_OR_FAIL(1);
    a.Until = b.Until = KeQueryInterruptTime() + 150 * 10000ULL;
    a.Buffer = &GrsSnap[0];
    b.Buffer = &GrsSnap[1];
    PKTHREAD t = KtStartThread(GrsHammer, &b, KeQueryPriorityThread(KeGetCurrentThread()));
    KT_ASSERT(t);
    GrsHammer(&a);
    KT_EQ(KtJoinThread(t, 5000), STATUS_SUCCESS);
    GrsStop();
    ULONG64 g = a.Buffer->Generation;
    LAB_CHECK(g >= 50, "in 150 ms with a 1 ms period only %llu samples were taken (TODO 1 and 2)", g);
    LAB_CHECK(a.Snapshots + b.Snapshots >= 100, "only %u snapshots came back in 150 ms", a.Snapshots + b.Snapshots);
    GRS_HAMMER *bad = a.Torn ? &a : &b;
    LAB_CHECK(!a.Torn && !b.Torn, "%u of %u snapshots were torn (one had Generation %llu, Tail %llu, sample %llu "
              "missing or newer than Generation): a DPC ran in the middle of your copy. Hold ext->Lock across the "
              "copy, acquired so that the DPC cannot run meanwhile (TODO 4)", a.Torn + b.Torn,
              a.Snapshots + b.Snapshots, bad->TornGeneration, bad->TornTail, bad->FirstTorn);
}

KTEST(irql_dpc, dpc_touches_no_paged_memory_under_trim)
{
    PLAB_SNAPSHOT s = &GrsSnap[0];
    GradeBegin();
    GRS_START_OR_FAIL(1);
    GrsSleepMs(50);
    GrsStop();
    LAB_CHECK(NT_SUCCESS(GrsGet(s)), "IOCTL_LAB_GET_SAMPLES failed");
    LAB_CHECK(s->Generation >= 20, "in 50 ms with a 1 ms period your DPC took %llu samples", s->Generation);
}

typedef struct _LABS_WATCH {
    PKSPIN_LOCK Lock;
    ULONG64 Until;
    ULONG Wakeups, SawHeld;
} GRS_WATCH;

/* A priority-20 thread woken every millisecond: it can only run when the scheduler switched
 * away from whoever was on the processor, so finding the lock held means a thread switch
 * happened inside it. */
static VOID GrsWatcher(PVOID Context)
{
    GRS_WATCH *w = Context;
    KTIMER t;
    LARGE_INTEGER due = KtMs(1);
    KeInitializeTimerEx(&t, SynchronizationTimer);
    KeSetTimerEx(&t, due, 1, NULL);
    while (KeQueryInterruptTime() < w->Until) {
        KeWaitForSingleObject(&t, Executive, KernelMode, FALSE, NULL);
        w->Wakeups++;
        if (!KeTestSpinLock(w->Lock))
            w->SawHeld++;
    }
    KeCancelTimer(&t);
}

KTEST(irql_dpc, no_thread_switch_inside_the_lock)
{
    GRS_HAMMER h = { 0 };
    GRS_WATCH w = { 0 };
    PLAB_SAMPLER_EXTENSION ext = GrsExt();
    GradeBegin();
    KT_ASSERT(ext);
    GRS_START_OR_FAIL(1);
    h.Until = w.Until = KeQueryInterruptTime() + 100 * 10000ULL;
    h.Buffer = &GrsSnap[1];
    w.Lock = &ext->Lock;
    PKTHREAD hammer = KtStartThread(GrsHammer, &h, 8);
    PKTHREAD watcher = KtStartThread(GrsWatcher, &w, 20);
    KT_ASSERT(hammer && watcher);
    KT_EQ(KtJoinThread(hammer, 5000), STATUS_SUCCESS);
    KT_EQ(KtJoinThread(watcher, 5000), STATUS_SUCCESS);
    GrsStop();
    LAB_CHECK(h.Snapshots >= 50, "only %u snapshots came back in 100 ms (TODO 4)", h.Snapshots);
    LAB_CHECK(!w.SawHeld, "a priority-20 thread ran %u times (of %u wake-ups) while ext->Lock was held: the holder "
              "was switched out inside the lock. A spin lock taken at PASSIVE_LEVEL must raise IRQL to "
              "DISPATCH_LEVEL (KeAcquireSpinLock), not KeAcquireSpinLockAtDpcLevel", w.SawHeld, w.Wakeups);
}

/* `make lab LAB=irql_dpc`: start a 1 ms sampler, read it while it runs, show the samples. */
KTEST(irql_dpc, workload)
{
    PLAB_SNAPSHOT s = &GrsSnap[2];
    GradeBegin();
    DbgPrint("lab irql_dpc: IOCTL_LAB_START with a 1 ms period -> 0x%08x\n", (ULONG)GrsStart(1));
    for (int i = 0; i < 3; i++) {
        GrsSleepMs(20);
        NTSTATUS st = GrsGet(s);
        DbgPrint("after %d ms: IOCTL_LAB_GET_SAMPLES -> 0x%08x, Generation %llu, sample number %llu consistent\n",
                 20 * (i + 1), (ULONG)st, s->Generation, GrsTorn(s) ? 0ULL : s->Generation);
    }
    DbgPrint("IOCTL_LAB_STOP -> 0x%08x; the last samples:\n", (ULONG)GrsStop());
    for (ULONG64 k = s->Generation > 5 ? s->Generation - 5 : 1; k && k <= s->Generation; k++) {
        PLAB_SAMPLE p = &s->Samples[k % LAB_SAMPLES];
        DbgPrint("  sample %llu: interrupt time %llu.%04llu ms, IRQL %u, in a DPC %u\n", p->Sequence,
                 p->InterruptTime / 10000, p->InterruptTime % 10000, p->Irql, p->InDpc);
    }
}
