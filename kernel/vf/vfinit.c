/* kernel/vf/vfinit.c - reads the boot option fault= once the built-in drivers are loaded, so
 * the workload (never the boot itself) is what the rules fault; a bad rule stops the boot. */
#include "vfp.h"

/* IRQL: PASSIVE_LEVEL. The boot-option table's check for fault= (kernel/ke/bootopts.c): the
 * rules parse, quietly (the table prints the one refusal line); nothing is armed. */
BOOLEAN VfIsValidSpec(PCSTR Value)
{
    static CHAR spec[256];
    SIZE_T n = 0;
    if (!Value)
        return FALSE;
    while (Value[n] && Value[n] != ' ' && n + 1 < sizeof(spec))
        spec[n] = Value[n], n++;
    spec[n] = 0;
    VfpQuiet = TRUE;
    BOOLEAN ok = n && NT_SUCCESS(VfpParse(spec));
    VfpQuiet = FALSE;
    VfReset();
    return ok;
}

/* IRQL: PASSIVE_LEVEL. Called by KiSystemStartup after IoInitSystem. */
VOID VfInitialize(void)
{
    static CHAR spec[256];
    PCSTR p = KiGetBootOption("fault");
    KiRegisterBugCheckReport(VfPrintSummary);
    if (!p)
        return;
    SIZE_T n = 0;
    while (p[n] && p[n] != ' ' && n + 1 < sizeof(spec))
        spec[n] = p[n], n++;
    spec[n] = 0;
    if (!NT_SUCCESS(VfConfigure(spec))) {
        DbgPrint("fault: boot option refused, stopping\n");
        HalExitEmulator(HAL_EXIT_FAILURE);
    }
    if (KiBootOptionPresent("experiment")) {
        VfReset(); /* validated; the experiment arms it after its unfaulted setup */
        return;
    }
    DbgPrint("VF: armed '%s' (sites 0x%x)\n", spec, VfArmedSites);
}
