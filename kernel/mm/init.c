/* mm/init.c - memory manager start-up: choose the pool region from the Multiboot memory
 * map, above the kernel image and every boot module, so nothing loaded is overwritten. */
#include "../ke/ki.h"
#include "../hal/hal.h"

VOID MiInitializePool(ULONG64 PhysicalBase, ULONG64 Size);
#define MI_EARLY_POOL_SIZE (64ULL << 20)

/* The boot code's identity map was only needed to reach the higher half; without it a NULL
 * (or any low) pointer faults, as it must. */
static VOID MipDropIdentityMap(void)
{
    PULONG64 pml4 = HalPhysicalToVirtual(__readcr3() & ~0xFFFULL);
    pml4[0] = 0;
    __writecr3(__readcr3());
}

VOID MmInitSystem(void)
{
    MipDropIdentityMap();
    ULONG64 floor = KeLoaderBlock.KernelPhysicalEnd;
    for (ULONG i = 0; i < KeLoaderBlock.ModuleCount; i++)
        if (KeLoaderBlock.Modules[i].End > floor)
            floor = KeLoaderBlock.Modules[i].End;
    floor = (floor + 0xFFFFF) & ~0xFFFFFULL;
    for (ULONG i = 0; i < KeLoaderBlock.MemoryRangeCount; i++) {
        KI_MEMORY_RANGE *r = &KeLoaderBlock.MemoryRanges[i];
        ULONG64 base = r->Base < floor ? floor : r->Base;
        if (r->Type == 1 && r->Base + r->Length > base + MI_EARLY_POOL_SIZE && base + MI_EARLY_POOL_SIZE <= (4ULL << 30)) {
            MiInitializePool(base, MI_EARLY_POOL_SIZE);
            return;
        }
    }
    KeBugCheckEx(0x7D /* INSTALL_MORE_MEMORY */, KeLoaderBlock.HighestPhysicalAddress, 0, 0, 0);
}
