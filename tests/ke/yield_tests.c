/* tests/ke/yield_tests.c - a zero-interval KeDelayExecutionThread yields to a ready thread of
 * the same priority below DISPATCH_LEVEL, and switches nothing at DISPATCH_LEVEL. */
#include "../ktest.h"
#include "../../kernel/ke/ki.h"
#include "kthread_util.h"

static KEVENT KtpYieldGo;
static volatile LONG KtpPeerRan;
static VOID KtpPeer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&KtpYieldGo, Executive, KernelMode, FALSE, NULL);
    KtpPeerRan = 1;
}

KTEST(thread, zero_delay_yields_below_dispatch_but_never_at_dispatch)
{
    LARGE_INTEGER zero = { .QuadPart = 0 };
    KIRQL old;
    KPRIORITY mine = KeQueryPriorityThread(KeGetCurrentThread());
    KtpPeerRan = 0;
    KeInitializeEvent(&KtpYieldGo, NotificationEvent, FALSE);
    PKTHREAD t = KtStartThread(KtpPeer, NULL, mine);
    KT_ASSERT(t);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeSetEvent(&KtpYieldGo, 0, FALSE);
    KT_EQ(t->State, Ready);
    KeDelayExecutionThread(KernelMode, FALSE, &zero); /* at DISPATCH_LEVEL: no switch */
    LONG ranAtDispatch = KtpPeerRan;
    KeLowerIrql(old);
    KT_EQ(ranAtDispatch, 0);
    if (!KtpPeerRan)
        KeDelayExecutionThread(KernelMode, FALSE, &zero); /* at PASSIVE_LEVEL: the peer runs */
    KT_EQ(KtpPeerRan, 1);
    KT_STATUS(KtJoinThread(t, 100), STATUS_SUCCESS);
}
