/* ke/init.c - KiSystemStartup: the kernel's first C code. Copies the Multiboot parameters,
 * brings up HAL, memory and the clock in dependency order, then runs tests, bench or demo. */
#include "ki.h"
#include "../hal/hal.h"
#include <irqlab/vf.h>

LOADER_PARAMETER_BLOCK KeLoaderBlock;
ULONG KiVerifierFlags;
VOID KtMain(void);
VOID KiRunDemo(void); /* tests/demo/demo.c */
VOID IoInitSystem(void);

static VOID KipCopyString(PCHAR Dest, SIZE_T Size, ULONG Physical)
{
    PCSTR s = HalPhysicalToVirtual(Physical);
    SIZE_T i = 0;
    for (; Physical && s[i] && i + 1 < Size; i++)
        Dest[i] = s[i];
    Dest[i] = 0;
}

static VOID KipReadMultiboot(ULONG Magic, ULONG InfoPhysical)
{
    const ULONG *mbi = HalPhysicalToVirtual(InfoPhysical);
    if (Magic != 0x2BADB002)
        KeBugCheckEx(0x5C /* HAL_INITIALIZATION_FAILED */, Magic, InfoPhysical, 0, 0);
    KeLoaderBlock.KernelPhysicalStart = 0x100000;
    KeLoaderBlock.KernelPhysicalEnd = (ULONG64)__kernel_end - KERNEL_OFFSET;
    if (mbi[0] & (1 << 2))
        KipCopyString(KeLoaderBlock.CommandLine, sizeof(KeLoaderBlock.CommandLine), mbi[4]);
    if (mbi[0] & (1 << 3)) {
        const ULONG *mod = HalPhysicalToVirtual(mbi[6]);
        for (ULONG i = 0; i < mbi[5] && i < KI_MAX_MODULES; i++, mod += 4) {
            KI_MODULE *m = &KeLoaderBlock.Modules[KeLoaderBlock.ModuleCount++];
            m->Start = mod[0];
            m->End = mod[1];
            KipCopyString(m->Name, sizeof(m->Name), mod[2]);
        }
    }
    if (mbi[0] & (1 << 6)) {
        const UCHAR *p = HalPhysicalToVirtual(mbi[12]), *end = p + mbi[11];
        while (p < end && KeLoaderBlock.MemoryRangeCount < KI_MAX_MEMORY_RANGES) {
            KI_MEMORY_RANGE *r = &KeLoaderBlock.MemoryRanges[KeLoaderBlock.MemoryRangeCount++];
            r->Base = *(const ULONG64 *)(p + 4);
            r->Length = *(const ULONG64 *)(p + 12);
            r->Type = *(const ULONG *)(p + 20);
            if (r->Type == 1 && r->Base + r->Length > KeLoaderBlock.HighestPhysicalAddress)
                KeLoaderBlock.HighestPhysicalAddress = r->Base + r->Length;
            p += *(const ULONG *)p + 4;
        }
    }
}

static VOID KipReadVerifierOptions(void)
{
    static const struct { PCSTR Word; ULONG Flag; } words[] = {
        { "irql", VERIFIER_IRQL_CHECKING }, { "io", VERIFIER_IO_CHECKING },
        { "trim", VERIFIER_FORCE_IRQL_TRIM }, { "special", VERIFIER_SPECIAL_POOL },
        { "pool", VERIFIER_POOL_TRACKING }, { "ddi", VERIFIER_DDI_CHECKING },
        { "deadlock", VERIFIER_DEADLOCK_DETECTION },
    };
    /* Deadlock detection is not part of "all": it is its own word (docs/verifier-deadlock.md) */
    if (KiBootOptionHasWord("verifier", "all"))
        KiVerifierFlags = ~(ULONG)VERIFIER_DEADLOCK_DETECTION;
    for (ULONG i = 0; i < ARRAYSIZE(words); i++)
        if (KiBootOptionHasWord("verifier", words[i].Word))
            KiVerifierFlags |= words[i].Flag;
    if (KiBootOptionHasWord("verifier", "none"))
        KiVerifierFlags = 0;
    /* irqltrim alone is Verifier's trim switch too: the inline raise (wdm/keirql.h) takes the
     * checked routine, which runs the trim hook, only while a trim or IRQL switch is set. */
    if (KiBootOptionPresent("irqltrim"))
        KiVerifierFlags |= VERIFIER_FORCE_IRQL_TRIM;
    KiInitializeVerifierPatches(); /* the inline fast paths' branches follow (ke/patch.c) */
}

/* Entered from boot/multiboot.S on the boot stack, interrupts off, CR8 undefined. */
VOID KiSystemStartup(ULONG Magic, ULONG InfoPhysical)
{
    __writecr8(HIGH_LEVEL);
    KiInitializeProcessorBlock(0);
    HalSerialInitialize();
    HalVgaInitialize();
    KipReadMultiboot(Magic, InfoPhysical);
    DbgPrint("IRQLab kernel: x86-64, NT driver model. Command line: %s\n", KeLoaderBlock.CommandLine);
    KiValidateBootOptions(); /* one line and a failure exit for a bad option */
    HalInitializeGdt(0);
    HalInitializeIdt();
    KipReadVerifierOptions();
    MmInitSystem();
    HalMaskLegacyPic();
    HalInitializeAcpi();
    HalInitializeLocalApic();
    KiProcessorBlock[0].ApicId = HalGetLocalApicId();
    KiMarkProcessorActive(&KiProcessorBlock[0]);
    HalInitializeIoApic();
    HalCalibrateTimers();
    KiInitializeClock();
    DbgPrint("HAL: TSC %llu Hz, APIC timer %llu Hz, clock %u Hz, I/O APIC at %llx, verifier 0x%x\n",
             HalTscPerSecond, HalApicTimerPerSecond, KiClockHz, (ULONG64)HalIoApicPhysical, KiVerifierFlags);
    KiInitializeSystemTime(); /* the CMOS clock, once; prints the boot date */

    __writecr8(PASSIVE_LEVEL);
    _enable();
    KiInitializeThreads(); /* the boot context becomes the initial thread; idle, workers */
    KiStartApplicationProcessors();
    IoInitSystem(); /* built-in drivers, in their registered order */
    KiInitializeThreadedDpcs(); /* after the drivers' threads, so their numbering stays as it was */
    VfInitialize(); /* fault= rules (kernel/vf) arm now: the workload is faulted, not the boot */

    if (KiBootOptionPresent("ktest") || KiBootOptionPresent("kbench") || KiBootOptionPresent("experiment"))
        KtMain();
    else
        KiRunDemo();
    HalExitEmulator(HAL_EXIT_SUCCESS);
}
