/* mm/init.c - memory manager start-up: reserve the backing store from the memory map,
 * hand the rest to the frame allocator, re-map the kernel image, start pager and pools. */
#include "mi.h"

#define MI_BACKING_BYTES ((ULONG64)MI_PAGEABLE_PAGES * PAGE_SIZE)

/* The boot code's identity map was only needed to reach the higher half; without it a NULL
 * (or any low) pointer faults, as it must. */
static VOID MipDropIdentityMap(void)
{
    PULONG64 pml4 = HalPhysicalToVirtual(__readcr3() & ~0xFFFULL);
    pml4[0] = 0;
    __writecr3(__readcr3());
}

/* The backing store sits above the kernel image and every boot module, below 4 GiB. */
static ULONG64 MipFindBackingStore(void)
{
    ULONG64 floor = KeLoaderBlock.KernelPhysicalEnd;
    for (ULONG i = 0; i < KeLoaderBlock.ModuleCount; i++)
        if (KeLoaderBlock.Modules[i].End > floor)
            floor = KeLoaderBlock.Modules[i].End;
    floor = (floor + 0xFFFFF) & ~0xFFFFFULL;
    for (ULONG i = 0; i < KeLoaderBlock.MemoryRangeCount; i++) {
        KI_MEMORY_RANGE *r = &KeLoaderBlock.MemoryRanges[i];
        ULONG64 base = r->Base < floor ? floor : r->Base;
        if (r->Type == 1 && r->Base + r->Length >= base + MI_BACKING_BYTES && base + MI_BACKING_BYTES <= (4ULL << 30))
            return base;
    }
    KeBugCheckEx(0x7D /* INSTALL_MORE_MEMORY */, KeLoaderBlock.HighestPhysicalAddress, MI_BACKING_BYTES, 0, 0);
}

/* Called once by KiSystemStartup at HIGH_LEVEL, after the verifier options are read. */
VOID MmInitSystem(void)
{
    MipDropIdentityMap();
    ULONG64 backing = MipFindBackingStore();
    MiInitializePhysical(backing, MI_BACKING_BYTES);
    MiProtectKernelImage();
    MiInitializePager(backing);
    MiInitializePools();
    DbgPrint("MM: %llu MiB free in frames, backing store %llu MiB at %p, pageable code %llu KiB\n",
             MiFreePhysicalPages >> 8, MI_BACKING_BYTES >> 20, (PVOID)backing,
             (ULONG64)(__pagetext_end - __pagetext_start) >> 10);
}
