/* tests/framework_tests.c - the test framework itself: a test that fails (or returns) with
 * IRQL raised, the PIT routed, an ISR connected, timers set and Verifier changed leaves none
 * of it to the next test. The inner tests run through KtRunIsolated, as any test runs. */
#include "ktest.h"
#include "ktspin.h"
#include "ktstate.h"
#include "../kernel/ke/ki.h"
#include "../kernel/hal/hal.h"

#define KTP_VECTOR 0x71 /* class 7: masked at IRQL 7 */
static KINTERRUPT KtpPitInterrupt;
static volatile ULONG KtpPitCount;
static KTIMER KtpStaticTimer;
static volatile BOOLEAN KtpInnerReachedEnd;

static BOOLEAN KtpPitIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    UNREFERENCED_PARAMETER(Interrupt);
    UNREFERENCED_PARAMETER(Context);
    KtpPitCount++;
    return TRUE;
}

static ULONG KtpPitPin(void)
{
    ULONG flags;
    return HalIsaIrqToGsi(0, &flags) - HalIoApicGsiBase;
}

static VOID KtpRouteThePit(void)
{
    ULONG flags;
    KeInitializeInterrupt(&KtpPitInterrupt, KtpPitIsr, NULL, NULL, KTP_VECTOR, 7, 7, Latched);
    if (KeConnectInterrupt(&KtpPitInterrupt))
        HalEnableSystemInterrupt(HalIsaIrqToGsi(0, &flags), KTP_VECTOR, FALSE, FALSE);
}

/* Fails its assertion at DISPATCH_LEVEL with a timer on its own stack still queued. */
static VOID KtpFailsWithEverythingChanged(void)
{
    KTIMER onStack;
    LARGE_INTEGER due = { .QuadPart = -10 * 1000 * 1000 }; /* 1 s */
    KIRQL old;
    KtpRouteThePit();
    KeInitializeTimer(&onStack);
    KeSetTimer(&onStack, due, NULL);
    KiSetVerifierFlags(KiVerifierFlags ^ VERIFIER_IO_CHECKING);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_ASSERT(KtpPitCount == 12345); /* fails, and returns at DISPATCH_LEVEL */
    KtpInnerReachedEnd = TRUE;
}

/* Passes every assertion but returns at IRQL 7 with a PIT interrupt pending in the IRR. */
static VOID KtpReturnsAtDeviceLevel(void)
{
    LARGE_INTEGER due = { .QuadPart = -10 * 1000 * 1000 };
    KIRQL old;
    KtpRouteThePit();
    KeInitializeTimer(&KtpStaticTimer);
    KeSetTimer(&KtpStaticTimer, due, NULL);
    KeRaiseIrql(7, &old);
    HalPitStartOneShot(100);
    /* bounded wait, not a fixed stall: with several processors the PIT follows the host */
    KtpInnerReachedEnd = KT_SPIN_UNTIL(HalIsInterruptPending(KTP_VECTOR), 1000);
}

static const KTEST KtpInnerFail = { "inner", "fails_with_everything_changed", KtpFailsWithEverythingChanged, 0, NULL };
static const KTEST KtpInnerRaised = { "inner", "returns_at_device_level", KtpReturnsAtDeviceLevel, 0, NULL };

typedef struct { ULONG64 PitEntry; ULONG Timers; ULONG Verifier; } KTP_BEFORE;

static VOID KtpTakeBefore(KTP_BEFORE *B)
{
    PKTIMER t[KT_MAX_TIMERS];
    B->PitEntry = HalReadRedirection(KtpPitPin());
    B->Timers = KiSnapshotTimers(t, KT_MAX_TIMERS);
    B->Verifier = KiVerifierFlags;
}

#define KTP_ASSERT_AS_BEFORE(B)                                                   \
    do {                                                                          \
        PKTIMER _t[KT_MAX_TIMERS];                                                \
        KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);                                 \
        KT_ASSERT(KiInterruptsEnabled());                                         \
        KT_EQ(HalReadRedirection(KtpPitPin()), (B).PitEntry);                     \
        KT_ASSERT(KiGetVectorInterrupt(KTP_VECTOR) == NULL);                      \
        KT_EQ(KiSnapshotTimers(_t, KT_MAX_TIMERS), (B).Timers);                   \
        KT_EQ(KiVerifierFlags, (B).Verifier);                                     \
    } while (0)

KTEST(ktest, failed_assertion_leaves_no_irql_routing_timer_or_verifier_change_behind)
{
    KTP_BEFORE before;
    KtpTakeBefore(&before);
    KT_ASSERT(before.PitEntry & (1u << 16)); /* the PIT is not routed to begin with */
    KT_ASSERT(KiGetVectorInterrupt(KTP_VECTOR) == NULL);
    KtpInnerReachedEnd = FALSE;
    KtpPitCount = 0;
    KT_ASSERT(!KtRunIsolated(&KtpInnerFail)); /* it failed ... */
    KT_ASSERT(!KtpInnerReachedEnd);          /* ... at its assertion */
    KTP_ASSERT_AS_BEFORE(before);
    /* The PIT firing now reaches no ISR: its line is masked again. */
    HalPitStartOneShot(100);
    KeStallExecutionProcessor(1000);
    KT_ASSERT(!HalIsInterruptPending(KTP_VECTOR));
    KT_EQ(KtpPitCount, 0);
}

KTEST(ktest, test_returning_at_device_level_fails_and_the_next_starts_at_passive)
{
    KTP_BEFORE before;
    KtpTakeBefore(&before);
    KtpInnerReachedEnd = FALSE;
    KtpPitCount = 0;
    KT_ASSERT(!KtRunIsolated(&KtpInnerRaised)); /* no assertion failed, yet it fails */
    KT_ASSERT(KtpInnerReachedEnd);             /* its PIT interrupt was held in the IRR */
    KTP_ASSERT_AS_BEFORE(before);
    KT_ASSERT(!KtpStaticTimer.Header.Inserted);
    /* The interrupt held while the test sat at IRQL 7 came in after its ISR was gone. */
    KT_EQ(KtpPitCount, 0);
}
