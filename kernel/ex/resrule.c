/* ex/resrule.c - the rules around executive resources that Driver Verifier enforces: the
 * IRQL and critical-region requirements, alignment, and the list of live resources that
 * catches double initialization and deletion of what was never initialized. */
#include "exp.h"

/* The DDI-compliance rule text Verifier's 0xC4/0x20007 points at (P2). */
const CHAR ExpIrqlExApcLte3Rule[] =
    "IrqlExApcLte3: ExAcquireResourceExclusiveLite, ExAcquireResourceSharedLite, "
    "ExAcquireSharedStarveExclusive, ExAcquireSharedWaitForExclusive, ExConvertExclusiveToSharedLite "
    "and ExDeleteResourceLite are called only at IRQL <= APC_LEVEL";

LIST_ENTRY ExpSystemResourcesList = { &ExpSystemResourcesList, &ExpSystemResourcesList };
static KSPIN_LOCK ExpResourceListLock;

/* The routines of IrqlExApcLte3 above APC_LEVEL: 0xC4/0x20007 (rule text, no rule state,
 * reserved 0) under Verifier, as DDI compliance checking reports it; without Verifier
 * IRQL_NOT_LESS_OR_EQUAL (resource, IRQL, 0, caller), the stop the rule page also names. */
VOID ExpCheckApcLevelRule(PERESOURCE Resource, PVOID Caller)
{
    KIRQL irql = KeGetCurrentIrql();
    if (irql <= APC_LEVEL)
        return;
    if (KiVerifierOn(VERIFIER_IRQL_CHECKING))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x20007, (ULONG_PTR)ExpIrqlExApcLte3Rule, 0, 0);
    KeBugCheckEx(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)Resource, irql, 0, (ULONG_PTR)Caller);
}

/* Acquire (0x37) and release (0x38) need normal kernel APCs off: a critical or guarded
 * region, or IRQL >= APC_LEVEL. P2 IRQL, P3 the thread's APC disable count (Windows'
 * combined form), P4 the resource. An acquire also needs the resource aligned (0x3D). */
VOID ExpCheckApcsDisabled(PERESOURCE Resource, ULONG Subcode)
{
    if (!KiVerifierOn(VERIFIER_IRQL_CHECKING))
        return;
    if (Subcode == 0x37 && ((ULONG_PTR)Resource & (sizeof(ULONG_PTR) - 1)))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x3D, 0, 0, (ULONG_PTR)Resource);
    PKTHREAD t = KeGetCurrentThread();
    KIRQL irql = KeGetCurrentIrql();
    if (irql < APC_LEVEL && t->KernelApcDisable == 0 && t->SpecialApcDisable == 0)
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, Subcode, irql, KiCombinedApcDisable(t), (ULONG_PTR)Resource);
}

static BOOLEAN ExpIsListed(PERESOURCE Resource)
{
    for (PLIST_ENTRY e = ExpSystemResourcesList.Flink; e != &ExpSystemResourcesList; e = e->Flink)
        if (e == &Resource->SystemResourcesList)
            return TRUE;
    return FALSE;
}

/* Initialization: a resource already live is re-initialized (0xC4/0xD0, resource). */
VOID ExpListResource(PERESOURCE Resource)
{
    KIRQL irql;
    KeAcquireSpinLock(&ExpResourceListLock, &irql);
    if (ExpIsListed(Resource)) {
        KeReleaseSpinLock(&ExpResourceListLock, irql);
        if (KiVerifierOn(VERIFIER_IRQL_CHECKING))
            KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xD0, (ULONG_PTR)Resource, 0, 0);
        return;
    }
    InsertTailList(&ExpSystemResourcesList, &Resource->SystemResourcesList);
    KeReleaseSpinLock(&ExpResourceListLock, irql);
}

/* Deletion: a resource that is not live was never initialized (0xC4/0xD1, resource).
 * FALSE without Verifier: the caller then leaves the memory alone. */
BOOLEAN ExpUnlistResource(PERESOURCE Resource)
{
    KIRQL irql;
    KeAcquireSpinLock(&ExpResourceListLock, &irql);
    BOOLEAN listed = ExpIsListed(Resource);
    if (listed)
        RemoveEntryList(&Resource->SystemResourcesList);
    KeReleaseSpinLock(&ExpResourceListLock, irql);
    if (!listed && KiVerifierOn(VERIFIER_IRQL_CHECKING))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xD1, (ULONG_PTR)Resource, 0, 0);
    return listed;
}
