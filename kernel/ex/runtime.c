/* ex/runtime.c - the executive's out-of-line halves of the WDK pool variants (wdm/ex.h):
 * the quota forms' IRQL rule and ExInitializeDriverRuntime. */
#include "../ke/ki.h"

ULONG ExpDriverRuntimeFlags; /* the opt-ins drivers asked for */

/* IRQL <= APC_LEVEL (rule IrqlExApcLte2). */
VOID ExpCheckQuotaPoolIrql(void) { VfDdiCheckAt(VfDdi_ExAllocatePoolWithQuotaTag, __builtin_return_address(0)); }

/* IRQL: PASSIVE_LEVEL. */
VOID ExInitializeDriverRuntime(ULONG RuntimeFlags) { ExpDriverRuntimeFlags |= RuntimeFlags; }
