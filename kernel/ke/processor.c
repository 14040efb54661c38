/* ke/processor.c - processor blocks reached through the GS base, and the public routines
 * that number and count processors (one group, numbered in the order they started). */
#include "ki.h"

KPRCB KiProcessorBlock[KI_MAX_PROCESSORS];
volatile ULONG KiActiveProcessorCount;
volatile KAFFINITY KiActiveProcessors;
volatile CCHAR KeNumberProcessors;

/* Called by each processor for itself, first thing, with interrupts off: from here on
 * KeGetCurrentPrcb works on it. */
VOID KiInitializeProcessorBlock(ULONG Number)
{
    PKPRCB prcb = &KiProcessorBlock[Number];
    prcb->Self = prcb;
    prcb->Number = Number;
    InitializeListHead(&prcb->DpcListHead);
    InitializeListHead(&prcb->ThreadedDpcListHead);
    KeInitializeSpinLock(&prcb->DpcLock);
    __writemsr(0xC0000101 /* IA32_GS_BASE */, (ULONG64)prcb);
}

/* IRQL: any. */
ULONG KeGetCurrentProcessorNumberEx(PPROCESSOR_NUMBER ProcNumber)
{
    ULONG n = KeGetCurrentPrcb()->Number;
    if (ProcNumber) {
        ProcNumber->Group = 0;
        ProcNumber->Number = (UCHAR)n;
        ProcNumber->Reserved = 0;
    }
    return n;
}

/* IRQL: any. */
ULONG KeGetCurrentProcessorNumber(void) { return KeGetCurrentPrcb()->Number; }

/* IRQL: any. Group 0 and ALL_PROCESSOR_GROUPS both mean every processor; other groups
 * have none. */
ULONG KeQueryActiveProcessorCountEx(USHORT GroupNumber)
{
    return (GroupNumber == 0 || GroupNumber == ALL_PROCESSOR_GROUPS) ? KiActiveProcessorCount : 0;
}

/* IRQL: any. */
ULONG KeQueryActiveProcessorCount(PKAFFINITY ActiveProcessors)
{
    if (ActiveProcessors)
        *ActiveProcessors = KiActiveProcessors;
    return KiActiveProcessorCount;
}

/* IRQL: any. */
KAFFINITY KeQueryActiveProcessors(void) { return KiActiveProcessors; }

/* IRQL: any. INVALID_PROCESSOR_INDEX (0xFFFFFFFF) for a processor that does not exist. */
ULONG KeGetProcessorIndexFromNumber(PPROCESSOR_NUMBER ProcNumber)
{
    if (!ProcNumber || ProcNumber->Group != 0 || ProcNumber->Number >= KiActiveProcessorCount)
        return 0xFFFFFFFF;
    return ProcNumber->Number;
}

/* IRQL: any. */
NTSTATUS KeGetProcessorNumberFromIndex(ULONG ProcIndex, PPROCESSOR_NUMBER ProcNumber)
{
    if (!ProcNumber || ProcIndex >= KiActiveProcessorCount)
        return STATUS_INVALID_PARAMETER;
    ProcNumber->Group = 0;
    ProcNumber->Number = (UCHAR)ProcIndex;
    ProcNumber->Reserved = 0;
    return STATUS_SUCCESS;
}

/* A processor is counted once it runs: the boot processor before anything else, the
 * application processors as each reports in. */
VOID KiMarkProcessorActive(PKPRCB Prcb)
{
    __atomic_fetch_or(&KiActiveProcessors, (KAFFINITY)1 << Prcb->Number, __ATOMIC_SEQ_CST);
    ULONG n = __atomic_add_fetch(&KiActiveProcessorCount, 1, __ATOMIC_SEQ_CST);
    KeNumberProcessors = (CCHAR)n;
    __atomic_store_n(&Prcb->Started, 1, __ATOMIC_RELEASE);
}
