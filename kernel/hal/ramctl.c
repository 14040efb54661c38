/* hal/ramctl.c - the simulated disk controller's services (include/irqlab/ramctl.h): boot
 * module and boot options for the RAM disk, its interrupt sources, and the power switch. */
#include "hal.h"
#include "../ke/ki.h"
#include <irqlab/ramctl.h>

BOOLEAN RamCtlGetBootImage(PUCHAR *Base, PULONG64 Length, PCSTR *Name)
{
    if (KeLoaderBlock.ModuleCount == 0)
        return FALSE;
    KI_MODULE *m = &KeLoaderBlock.Modules[0];
    *Base = HalPhysicalToVirtual(m->Start);
    *Length = m->End - m->Start;
    *Name = m->Name;
    return TRUE;
}

BOOLEAN RamCtlOptionPresent(PCSTR Name) { return KiBootOptionPresent(Name); }
PCSTR RamCtlOptionValue(PCSTR Name) { return KiGetBootOption(Name); }
ULONG64 RamCtlOptionNumber(PCSTR Name, ULONG64 Default) { return KiGetBootOptionNumber(Name, Default); }

/* The processor the controller interrupts (ramdisk.cpu=N): its APIC ID, or -1 for "the one
 * that started the transfer". */
static LONG RamCtlpTargetApic = -1;

BOOLEAN RamCtlRouteToProcessor(ULONG Processor)
{
    if (Processor >= KI_MAX_PROCESSORS || !(KiActiveProcessors & ((KAFFINITY)1 << Processor)))
        return FALSE;
    RamCtlpTargetApic = (LONG)KiProcessorBlock[Processor].ApicId;
    return TRUE;
}

ULONG RamCtlConnectTimer(ULONG Vector)
{
    ULONG flags;
    ULONG gsi = HalIsaIrqToGsi(0, &flags);
    /* The firmware leaves channel 0 in its periodic mode, and a bare mode write leaves an
     * expired count whose edge still comes: park it on the longest one-shot before unmasking,
     * so no edge arrives before the controller arms its first request (a spurious one). */
    HalPitStartOneShot(54000); /* 54 ms: just under the 16-bit count */
    HalEnableSystemInterrupt(gsi, Vector, FALSE, FALSE);
    if (RamCtlpTargetApic >= 0)
        HalSetInterruptDestination(gsi, (ULONG)RamCtlpTargetApic);
    return gsi;
}

VOID RamCtlDisconnectTimer(ULONG Gsi) { HalDisableSystemInterrupt(Gsi); }

VOID RamCtlRaiseInterrupt(ULONG Vector, ULONG DelayUs)
{
    if (DelayUs)
        HalPitStartOneShot(DelayUs);
    else if (RamCtlpTargetApic >= 0)
        HalSendIpi((ULONG)RamCtlpTargetApic, Vector);
    else
        HalSendSelfIpi(Vector);
}

VOID RamCtlPowerOff(void)
{
    DbgPrint("RAMCTL: power cut\n");
    HalExitEmulator(HAL_EXIT_SUCCESS);
}
