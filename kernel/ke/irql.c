/* ke/irql.c - IRQL is CR8, the local APIC's task priority: raising it makes the APIC hold
 * back every interrupt of that class and below; lowering it lets the hardware deliver them.
 * These are the exported, always-checked routines; wdm/keirql.h inlines the unchecked fast
 * path and calls here only while Verifier checks IRQL. Names in parentheses: not the macros. */
#include "ki.h"

_Static_assert(KI_VERIFIED_IRQL_FLAGS == (VERIFIER_IRQL_CHECKING | VERIFIER_FORCE_IRQL_TRIM),
               "wdm/keirql.h names the Verifier switches the IRQL routines check");

PKI_RAISE_HOOK KiDispatchRaiseHook;

/* IRQL: any. */
KIRQL (KeGetCurrentIrql)(void) { return (KIRQL)__readcr8(); }

static VOID KipWrongWay(ULONG Code, ULONG VerifierCode, KIRQL Current, KIRQL New)
{
    if (KiVerifierOn(VERIFIER_IRQL_CHECKING) && VerifierCode == 0x30)
        KeBugCheckEx(BUGPARAMS_C4_RAISE_TO_LOWER(Current, New));
    if (KiVerifierOn(VERIFIER_IRQL_CHECKING))
        KeBugCheckEx(BUGPARAMS_C4_LOWER_TO_HIGHER(Current, New));
    KeBugCheckEx(Code, Current, New, 0, 0);
}

/* IRQL: NewIrql >= current IRQL, else IRQL_NOT_GREATER_OR_EQUAL (Verifier: 0xC4/0x30). */
KIRQL (KfRaiseIrql)(KIRQL NewIrql)
{
    KIRQL old = (KIRQL)__readcr8();
    if (NewIrql < old || NewIrql > HIGH_LEVEL)
        KipWrongWay(IRQL_NOT_GREATER_OR_EQUAL, 0x30, old, NewIrql);
    /* Force-IRQL-checking trims pageable memory on every rise to DISPATCH_LEVEL, so a later
     * touch faults every time rather than only under memory pressure. */
    if (old < DISPATCH_LEVEL && NewIrql >= DISPATCH_LEVEL && KiDispatchRaiseHook)
        KiDispatchRaiseHook();
    __writecr8(NewIrql);
    return old;
}

/* IRQL: NewIrql >= current IRQL. */
VOID (KeRaiseIrql)(KIRQL NewIrql, PKIRQL OldIrql) { *OldIrql = (KfRaiseIrql)(NewIrql); }

/* IRQL: <= DISPATCH_LEVEL. */
KIRQL (KeRaiseIrqlToDpcLevel)(void) { return (KfRaiseIrql)(DISPATCH_LEVEL); }

/* IRQL: NewIrql <= current IRQL, else IRQL_NOT_LESS_OR_EQUAL (Verifier: 0xC4/0x31).
 * Nothing here polls for pending work: a DPC or APC requested while IRQL was high sits in
 * the APIC's IRR and is delivered by the hardware the instant CR8 drops below its class. */
VOID (KeLowerIrql)(KIRQL NewIrql)
{
    KIRQL old = (KIRQL)__readcr8();
    if (NewIrql > old)
        KipWrongWay(IRQL_NOT_LESS_OR_EQUAL, 0x31, old, NewIrql);
    __writecr8(NewIrql);
}
