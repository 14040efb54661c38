/* mm/pfn.c - physical page frames from the Multiboot memory map: usable RAM minus low
 * memory, the kernel image, boot modules and the backing store; handed out by range. */
#include "mi.h"

#define MI_MAX_FREE_RANGES 64
typedef struct _MI_RANGE { ULONG64 Next, End; } MI_RANGE;
static MI_RANGE MipRanges[MI_MAX_FREE_RANGES];
static ULONG MipRangeCount;
static ULONG64 MipFreedList; /* freed frames, linked through their first word (direct map) */
ULONG64 MiFreePhysicalPages, MiTotalPhysicalPages;

/* Adds [Base, End) minus every interval in Reserved, recursively splitting around them. */
static VOID MipAddRange(ULONG64 Base, ULONG64 End, const ULONG64 (*Reserved)[2], ULONG Count)
{
    Base = (Base + MI_PAGE_MASK) & ~MI_PAGE_MASK;
    End &= ~MI_PAGE_MASK;
    for (ULONG i = 0; i < Count && Base < End; i++) {
        ULONG64 rs = Reserved[i][0] & ~MI_PAGE_MASK, re = (Reserved[i][1] + MI_PAGE_MASK) & ~MI_PAGE_MASK;
        if (re <= Base || rs >= End)
            continue;
        if (rs > Base)
            MipAddRange(Base, rs, Reserved + i + 1, Count - i - 1);
        Base = re;
    }
    if (Base < End && MipRangeCount < MI_MAX_FREE_RANGES) {
        MipRanges[MipRangeCount].Next = Base;
        MipRanges[MipRangeCount++].End = End;
        MiFreePhysicalPages += (End - Base) / PAGE_SIZE;
    }
}

/* Called once by MmInitSystem, before anything allocates. Frames stay below 4 GiB so the
 * direct map reaches them (page tables are edited through it). */
VOID MiInitializePhysical(ULONG64 BackingBase, ULONG64 BackingBytes)
{
    ULONG64 reserved[2 + KI_MAX_MODULES][2];
    ULONG n = 0;
    reserved[n][0] = KeLoaderBlock.KernelPhysicalStart;
    reserved[n++][1] = KeLoaderBlock.KernelPhysicalEnd;
    reserved[n][0] = BackingBase;
    reserved[n++][1] = BackingBase + BackingBytes;
    for (ULONG i = 0; i < KeLoaderBlock.ModuleCount; i++) {
        reserved[n][0] = KeLoaderBlock.Modules[i].Start;
        reserved[n++][1] = KeLoaderBlock.Modules[i].End;
    }
    for (ULONG i = 0; i < KeLoaderBlock.MemoryRangeCount; i++) {
        KI_MEMORY_RANGE *r = &KeLoaderBlock.MemoryRanges[i];
        ULONG64 base = r->Base, end = r->Base + r->Length;
        if (r->Type != 1)
            continue;
        if (base < 0x100000)
            base = 0x100000; /* real-mode memory, BIOS data, the Multiboot structures */
        if (end > (4ULL << 30))
            end = 4ULL << 30;
        if (base < end)
            MipAddRange(base, end, reserved, n);
    }
    MiTotalPhysicalPages = MiFreePhysicalPages;
}

static ULONG64 MipTakeFrame(void)
{
    if (MipFreedList) {
        ULONG64 p = MipFreedList;
        MipFreedList = *(PULONG64)HalPhysicalToVirtual(p);
        return p;
    }
    for (ULONG i = 0; i < MipRangeCount; i++)
        if (MipRanges[i].Next < MipRanges[i].End) {
            ULONG64 p = MipRanges[i].Next;
            MipRanges[i].Next += PAGE_SIZE;
            return p;
        }
    return 0;
}

/* IRQL: any (takes the Mm lock). Under memory pressure it first evicts pageable pages. */
ULONG64 MiAllocatePhysicalPage(void)
{
    KIRQL old = MiLock();
    ULONG64 p = MipTakeFrame();
    if (!p && MiTrimWorkingSet(MiWorkingSetCount / 2))
        p = MipTakeFrame();
    if (p)
        MiFreePhysicalPages--;
    MiUnlock(old);
    return p;
}

/* IRQL: any. */
VOID MiFreePhysicalPage(ULONG64 Physical)
{
    KIRQL old = MiLock();
    *(PULONG64)HalPhysicalToVirtual(Physical) = MipFreedList;
    MipFreedList = Physical;
    MiFreePhysicalPages++;
    MiUnlock(old);
}
