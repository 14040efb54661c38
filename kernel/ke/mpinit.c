/* ke/mpinit.c - starting the application processors the MADT lists: copy the real-mode
 * trampoline below 1 MiB, INIT-SIPI-SIPI each one, and let it bring itself up on its idle stack. */
#include "ki.h"
#include "../hal/hal.h"

#define KI_AP_TRAMPOLINE 0x70000ULL /* boot/aptramp.S is assembled for this address */
#define KI_AP_PML4 0x71000ULL       /* start-up page tables: the kernel's plus low identity */
#define KI_AP_PDPT 0x72000ULL
#define KI_AP_PD 0x73000ULL
#define KI_AP_START_TIMEOUT_US 500000

typedef struct _KI_AP_PARAMETERS { ULONG64 Cr3, Stack, Entry, Argument; } KI_AP_PARAMETERS;
extern char KiApTrampoline[], KiApTrampolineParameters[], KiApTrampolineEnd[];
static ULONG64 KipKernelCr3;

/* Entered from the trampoline in long mode, on the idle thread's stack, interrupts off,
 * through the identity-mapped start-up tables. */
static DECLSPEC_NORETURN VOID KipApStartup(ULONG64 Number)
{
    __writecr8(HIGH_LEVEL);
    KiInitializeProcessorBlock((ULONG)Number);
    PKPRCB prcb = KeGetCurrentPrcb();
    __writecr3(KipKernelCr3); /* the kernel's own tables: no identity map any more */
    HalInitializeGdt(prcb->Number);
    HalLoadIdt();
    HalInitializeLocalApic();
    prcb->ApicId = HalGetLocalApicId();
    prcb->CurrentThread = prcb->IdleThread;
    HalStartClock(KiClockHz);
    KiMarkProcessorActive(prcb);
    __writecr8(PASSIVE_LEVEL);
    KiIdleLoop();
}

static VOID KipBuildStartupTables(void)
{
    PULONG64 pml4 = HalPhysicalToVirtual(KI_AP_PML4), pdpt = HalPhysicalToVirtual(KI_AP_PDPT);
    PULONG64 pd = HalPhysicalToVirtual(KI_AP_PD);
    memcpy(pml4, HalPhysicalToVirtual(KipKernelCr3 & ~0xFFFULL), PAGE_SIZE);
    RtlZeroMemory(pdpt, PAGE_SIZE);
    RtlZeroMemory(pd, PAGE_SIZE);
    pd[0] = 0x83;                     /* 0..2 MiB, present, writable, large */
    pdpt[0] = KI_AP_PD | 3;
    pml4[0] = KI_AP_PDPT | 3;
}

/* IRQL: PASSIVE_LEVEL, once, after the threads exist (each processor needs an idle thread).
 * Boot option numproc=N starts at most N processors in all. */
VOID KiStartApplicationProcessors(void)
{
    ULONG want = (ULONG)KiGetBootOptionNumber("numproc", KI_MAX_PROCESSORS);
    ULONG count = HalProcessorCount < KI_MAX_PROCESSORS ? HalProcessorCount : KI_MAX_PROCESSORS;
    KI_AP_PARAMETERS *params = HalPhysicalToVirtual(KI_AP_TRAMPOLINE + (KiApTrampolineParameters - KiApTrampoline));

    if (want < count)
        count = want;
    if (count <= 1)
        return;
    KipKernelCr3 = __readcr3();
    memcpy(HalPhysicalToVirtual(KI_AP_TRAMPOLINE), KiApTrampoline, (SIZE_T)(KiApTrampolineEnd - KiApTrampoline));
    KipBuildStartupTables();

    ULONG next = 1;
    for (ULONG i = 0; i < HalProcessorCount && next < count; i++) {
        ULONG apic = HalProcessorApicId[i];
        if (apic == KiProcessorBlock[0].ApicId)
            continue;
        PKPRCB prcb = &KiProcessorBlock[next];
        PKTHREAD idle = KiCreateIdleThread(next);
        if (!idle)
            break;
        prcb->IdleThread = idle;
        prcb->IdleStackTop = idle->StackTop;
        params->Cr3 = KI_AP_PML4;
        params->Stack = ((ULONG64)idle->StackTop - 64) & ~15ULL;
        params->Entry = (ULONG64)KipApStartup;
        params->Argument = next;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        HalStartProcessor(apic, KI_AP_TRAMPOLINE);
        ULONG64 deadline = __rdtsc() + HalTscPerSecond / 1000000 * KI_AP_START_TIMEOUT_US;
        while (!__atomic_load_n(&prcb->Started, __ATOMIC_ACQUIRE) && __rdtsc() < deadline)
            _mm_pause();
        if (!prcb->Started) {
            DbgPrint("KE: processor with APIC ID %u did not start\n", apic);
            break; /* its block and trampoline parameters must not be reused while it might */
        }
        next++;
    }
    KiWidenBootAffinity();
    DbgPrint("KE: %u processors active (MADT lists %u)\n", KiActiveProcessorCount, HalProcessorCount);
}
