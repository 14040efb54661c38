/* tests/ex/rundown_tests.c - run-down protection: references until the owner runs it down,
 * no new ones after, and the owner's wait ends exactly when the last holder releases. */
#include "../ke/kthread_util.h"

static EX_RUNDOWN_REF KtpRef;
static volatile LONG KtpWaitDone;
static VOID KtpRunDown(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExWaitForRundownProtectionRelease(&KtpRef);
    KtpWaitDone = 1;
}

KTEST(rundown, references_until_run_down_then_none_until_reinitialized)
{
    ExInitializeRundownProtection(&KtpRef);
    KT_ASSERT(ExAcquireRundownProtection(&KtpRef));
    KT_ASSERT(ExAcquireRundownProtectionEx(&KtpRef, 3));
    ExReleaseRundownProtectionEx(&KtpRef, 3);
    ExReleaseRundownProtection(&KtpRef);
    ExWaitForRundownProtectionRelease(&KtpRef); /* nobody holds it: returns at once */
    KT_ASSERT(!ExAcquireRundownProtection(&KtpRef));
    ExReInitializeRundownProtection(&KtpRef);
    KT_ASSERT(ExAcquireRundownProtection(&KtpRef));
    ExReleaseRundownProtection(&KtpRef);
    ExRundownCompleted(&KtpRef);
    KT_ASSERT(!ExAcquireRundownProtection(&KtpRef));
}

KTEST(rundown, the_wait_ends_when_the_last_holder_releases)
{
    ExInitializeRundownProtection(&KtpRef);
    KtpWaitDone = 0;
    KT_ASSERT(ExAcquireRundownProtection(&KtpRef));
    KT_ASSERT(ExAcquireRundownProtection(&KtpRef));
    PKTHREAD t = KtStartThread(KtpRunDown, NULL, 10); /* runs at once and waits */
    KT_ASSERT(t);
    KT_EQ(t->State, Waiting);
    KT_ASSERT(!ExAcquireRundownProtection(&KtpRef)); /* closed for newcomers */
    ExReleaseRundownProtection(&KtpRef);
    KT_EQ(KtpWaitDone, 0);
    KT_EQ(t->State, Waiting);
    ExReleaseRundownProtection(&KtpRef);
    KT_EQ(KtpWaitDone, 1); /* woken by the last release and, higher, ran before it returned */
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
    KT_ASSERT(!ExAcquireRundownProtection(&KtpRef));
}

KTEST(rundown, release_at_dispatch_level_wakes_the_waiter)
{
    KIRQL old;
    ExInitializeRundownProtection(&KtpRef);
    KtpWaitDone = 0;
    KT_ASSERT(ExAcquireRundownProtection(&KtpRef));
    PKTHREAD t = KtStartThread(KtpRunDown, NULL, 10);
    KT_ASSERT(t);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ExReleaseRundownProtection(&KtpRef);
    KT_EQ(KtpWaitDone, 0); /* readied, but nothing switches at DISPATCH_LEVEL */
    KeLowerIrql(old);
    KT_EQ(KtpWaitDone, 1);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}
