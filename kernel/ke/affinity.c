/* ke/affinity.c - thread affinity: the system affinity a driver sets on the current thread
 * and the user affinity it reverts to, the ideal processor; the move happens in sched.c. */
#include "ki.h"
#include "../hal/hal.h"

/* A mask is usable when it names only processors that exist and at least one that runs. */
static BOOLEAN KipValidAffinity(KAFFINITY Affinity)
{
    KAFFINITY existing = KiActiveProcessors; /* one group; every started processor is active */
    return Affinity != 0 && (Affinity & ~existing) == 0;
}

/* Dispatcher lock held. The current thread's new mask: if this processor left it, the
 * DISPATCH software interrupt moves the thread (KipDispatchInterrupt evicts it), which fires
 * as soon as the caller's IRQL is below DISPATCH_LEVEL: at once from the caller's release of
 * the lock for IRQL <= APC_LEVEL, at its KeLowerIrql for DISPATCH_LEVEL, as documented. */
static VOID KipSetAffinity(PKTHREAD Thread, KAFFINITY Affinity)
{
    Thread->Affinity = Affinity;
    if (!(Affinity & ((KAFFINITY)1 << KeGetCurrentPrcb()->Number)))
        HalRequestSoftwareInterrupt(DISPATCH_LEVEL);
}

/* IRQL <= DISPATCH_LEVEL. Returns the previous system affinity, or 0 when the thread had
 * none (it ran on its user affinity, which is saved for the revert). An invalid mask (no
 * active processor in it, or a bit for one that does not exist) changes nothing. Below
 * DISPATCH_LEVEL the caller runs on a processor of the new mask when this returns. */
KAFFINITY KeSetSystemAffinityThreadEx(KAFFINITY Affinity)
{
    PKTHREAD t = KeGetCurrentThread();
    KIRQL irql = KiAcquireDispatcherDatabase();
    KAFFINITY previous = t->SystemAffinityActive ? t->Affinity : 0;
    if (KipValidAffinity(Affinity)) {
        if (!t->SystemAffinityActive) {
            t->UserAffinity = t->Affinity;
            t->SystemAffinityActive = TRUE;
        }
        KipSetAffinity(t, Affinity);
    }
    KiReleaseDispatcherDatabase(irql);
    return previous;
}

/* IRQL <= DISPATCH_LEVEL. Affinity is what KeSetSystemAffinityThreadEx returned: 0 restores
 * the user affinity, anything else is set as the system affinity again (if valid). Without
 * a system affinity set first, nothing happens. */
VOID KeRevertToUserAffinityThreadEx(KAFFINITY Affinity)
{
    PKTHREAD t = KeGetCurrentThread();
    KIRQL irql = KiAcquireDispatcherDatabase();
    if (t->SystemAffinityActive) {
        if (Affinity == 0) {
            t->SystemAffinityActive = FALSE;
            KipSetAffinity(t, t->UserAffinity);
        } else if (KipValidAffinity(Affinity)) {
            KipSetAffinity(t, Affinity);
        }
    }
    KiReleaseDispatcherDatabase(irql);
}

/* IRQL <= DISPATCH_LEVEL. The pre-Vista forms. */
VOID KeSetSystemAffinityThread(KAFFINITY Affinity) { (VOID)KeSetSystemAffinityThreadEx(Affinity); }
VOID KeRevertToUserAffinityThread(void) { KeRevertToUserAffinityThreadEx(0); }

/* IRQL <= DISPATCH_LEVEL. Returns the previous ideal processor; a number with no active
 * processor changes nothing. The scheduler prefers the ideal processor when choosing among
 * equally busy ones. */
UCHAR KeSetIdealProcessorThread(PKTHREAD Thread, UCHAR Processor)
{
    KIRQL irql = KiAcquireDispatcherDatabase();
    UCHAR old = Thread->IdealProcessor;
    if (Processor < KI_MAX_PROCESSORS && (KiActiveProcessors & ((KAFFINITY)1 << Processor)))
        Thread->IdealProcessor = Processor;
    KiReleaseDispatcherDatabase(irql);
    return old;
}
