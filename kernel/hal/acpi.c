/* hal/acpi.c - just enough ACPI to find the processors, the I/O APIC and the ISA interrupt
 * overrides in the MADT, so processors and interrupts are used as the firmware says. */
#include "hal.h"

#pragma pack(push, 1)
typedef struct { CHAR Signature[8]; UCHAR Checksum; CHAR Oem[6]; UCHAR Revision; ULONG Rsdt; } RSDP;
typedef struct { CHAR Signature[4]; ULONG Length; UCHAR Revision, Checksum; CHAR Oem[6], OemTable[8];
                 ULONG OemRevision, CreatorId, CreatorRevision; } SDT_HEADER;
#pragma pack(pop)

ULONG64 HalIoApicPhysical = 0xFEC00000; /* the architectural default if there is no MADT */
ULONG HalIoApicGsiBase;
ULONG HalProcessorCount;
UCHAR HalProcessorApicId[HAL_MAX_PROCESSORS];
static struct { UCHAR Valid; ULONG Gsi; USHORT Flags; } HalpIsaOverride[16];

static BOOLEAN HalpChecksum(const UCHAR *p, ULONG n)
{
    UCHAR s = 0;
    for (ULONG i = 0; i < n; i++)
        s += p[i];
    return s == 0;
}

static const RSDP *HalpFindRsdp(void)
{
    for (ULONG64 a = 0xE0000; a < 0x100000; a += 16) {
        const RSDP *r = HalPhysicalToVirtual(a);
        if (memcmp(r->Signature, "RSD PTR ", 8) == 0 && HalpChecksum((const UCHAR *)r, 20))
            return r;
    }
    return NULL;
}

static VOID HalpParseMadt(const SDT_HEADER *madt)
{
    const UCHAR *p = (const UCHAR *)madt + 44, *end = (const UCHAR *)madt + madt->Length;
    while (p + 2 <= end && p[1] >= 2) {
        if (p[0] == 0 && (p[4] & 3) && HalProcessorCount < HAL_MAX_PROCESSORS) {
            /* processor local APIC, enabled or online-capable */
            HalProcessorApicId[HalProcessorCount++] = p[3];
        } else if (p[0] == 1) { /* I/O APIC */
            HalIoApicPhysical = *(const ULONG *)(p + 4);
            HalIoApicGsiBase = *(const ULONG *)(p + 8);
        } else if (p[0] == 2 && p[3] < 16) { /* interrupt source override */
            HalpIsaOverride[p[3]].Valid = 1;
            HalpIsaOverride[p[3]].Gsi = *(const ULONG *)(p + 4);
            HalpIsaOverride[p[3]].Flags = *(const USHORT *)(p + 8);
        }
        p += p[1];
    }
}

/* IRQL: any; once at boot. */
VOID HalInitializeAcpi(void)
{
    const RSDP *rsdp = HalpFindRsdp();
    if (!rsdp)
        return;
    const SDT_HEADER *rsdt = HalPhysicalToVirtual(rsdp->Rsdt);
    ULONG n = (rsdt->Length - sizeof(SDT_HEADER)) / 4;
    const ULONG *entries = (const ULONG *)(rsdt + 1);
    for (ULONG i = 0; i < n; i++) {
        const SDT_HEADER *t = HalPhysicalToVirtual(entries[i]);
        if (memcmp(t->Signature, "APIC", 4) == 0 && HalpChecksum((const UCHAR *)t, t->Length))
            HalpParseMadt(t);
    }
}

/* IRQL: any. Flags receive the MPS polarity/trigger bits (0 = bus default). */
ULONG HalIsaIrqToGsi(ULONG IsaIrq, PULONG Flags)
{
    *Flags = 0;
    if (IsaIrq < 16 && HalpIsaOverride[IsaIrq].Valid) {
        *Flags = HalpIsaOverride[IsaIrq].Flags;
        return HalpIsaOverride[IsaIrq].Gsi;
    }
    return IsaIrq;
}
