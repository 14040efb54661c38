/* vf/ddi.c - DDI compliance checking: the table of documented IRQL ranges (vf.h) and the stop a
 * routine called outside its range raises, with its WDM rule's code where Windows has one. */
#include "vf.h"

const VF_DDI_RULE VfDdiRules[VfRuleCount] = {
    [VfRuleNone] = { "none", VF_ROUTINE_OUTSIDE_IRQL, "routine called outside its documented IRQL" },
#define VF_RULE_ROW(n, code, text) [VfRule##n] = { #n, code, #n ": " text },
    VF_DDI_RULES(VF_RULE_ROW)
#undef VF_RULE_ROW
};

const VF_DDI_ROUTINE VfDdiRoutines[VfDdiCount] = {
#define VF_ROUTINE_ROW(n, lo, hi, rule, classic) [VfDdi_##n] = { #n, lo, hi, VfRule##rule, classic },
    VF_DDI_ROUTINES(VF_ROUTINE_ROW)
#undef VF_ROUTINE_ROW
};

VF_DDI_STATE VfDdiViolation;

/* IRQL: any. */
const VF_DDI_RULE *VfLookupDdiRule(ULONG Code)
{
    for (ULONG i = 1; i < VfRuleCount; i++)
        if (VfDdiRules[i].Code == Code)
            return &VfDdiRules[i];
    return NULL;
}

/* IRQL: any. Called only when Irql is outside the routine's range and some verifier is on.
 * Order: a routine with a classic Verifier code of its own keeps it while IRQL checking is on
 * (it raises it itself, right after this returns); otherwise DDI compliance checking stops
 * with the rule's code; a file I/O call under I/O verification is 0xC9/0x24A; what is left is
 * IRQLab's 0x1110 (a routine Windows has no rule for). */
VOID VfDdiViolationStop(VF_DDI_ID Id, KIRQL Irql, PVOID Caller)
{
    const VF_DDI_ROUTINE *r = &VfDdiRoutines[Id];
    if (r->Classic == VF_CLASSIC_SELF && KiVerifierOn(VERIFIER_IRQL_CHECKING))
        return;
    VfDdiViolation.Routine = r->Name;
    VfDdiViolation.Caller = Caller;
    VfDdiViolation.Irql = Irql;
    KiSetBugCheckCulprit(MmLookupDriverByAddress(Caller), Caller);
    DbgPrint("DDI compliance: %s called at IRQL %u (allowed %u..%u) from %p\n", r->Name, Irql, r->MinIrql,
             r->MaxIrql, Caller);
    if (r->Rule != VfRuleNone && KiVerifierOn(VERIFIER_DDI_CHECKING))
        KeBugCheckEx(BUGPARAMS_C4_DDI_RULE(VfDdiRules[r->Rule].Code, VfDdiRules[r->Rule].Condition, &VfDdiViolation));
    if (r->Classic == VF_CLASSIC_C9_24A && KiVerifierOn(VERIFIER_IO_CHECKING))
        KeBugCheckEx(BUGPARAMS_C9_WDM_ERROR(0x24A, Caller, 0, 0));
    if (KiVerifierOn(VERIFIER_DDI_CHECKING | VERIFIER_IRQL_CHECKING | VERIFIER_IO_CHECKING))
        KeBugCheckEx(BUGPARAMS_C4_IRQLAB_OUTSIDE_IRQL(Irql, r->Name));
}
