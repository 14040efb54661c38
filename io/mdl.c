/* io/mdl.c - memory descriptor lists for direct I/O: the physical pages behind a buffer,
 * found by walking the page tables, locked for the transfer and mapped for the driver. */
#include "iop.h"
#include "../kernel/hal/hal.h"

#define IOP_MDL_TAG 'ldMI'

/* IRQL: any. */
SIZE_T MmSizeOfMdl(PVOID Base, SIZE_T Length)
{
    return sizeof(MDL) + ADDRESS_AND_SIZE_TO_SPAN_PAGES(Base, Length) * sizeof(PFN_NUMBER);
}

static VOID IopInitializeMdl(PMDL Mdl, PVOID Va, SIZE_T Length)
{
    Mdl->Next = NULL;
    Mdl->Size = (CSHORT)MmSizeOfMdl(Va, Length);
    Mdl->MdlFlags = 0;
    Mdl->Process = NULL;
    Mdl->MappedSystemVa = NULL;
    Mdl->StartVa = (PVOID)((ULONG_PTR)Va & ~(ULONG_PTR)(PAGE_SIZE - 1));
    Mdl->ByteOffset = (ULONG)((ULONG_PTR)Va & (PAGE_SIZE - 1));
    Mdl->ByteCount = (ULONG)Length;
}

/* The largest buffer one MDL describes, as Windows 7 and later document it: 4 GB - PAGE_SIZE.
 * (Mdl->Size, a CSHORT as in the WDK's MmInitializeMdl, is truncated above about 16 MiB there
 * too; nothing here reads it: page counts come from StartVa, ByteOffset and ByteCount.) */
#define IOP_MAX_MDL_LENGTH (0xFFFFFFFFUL - PAGE_SIZE + 1)

/* IRQL <= DISPATCH_LEVEL. With an Irp, the MDL becomes its MdlAddress or, if SecondaryBuffer,
 * joins the end of its chain. NULL for a zero or too long Length, or when pool runs out. */
PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota, PIRP Irp)
{
    UNREFERENCED_PARAMETER(ChargeQuota);
    if (!Length || Length > IOP_MAX_MDL_LENGTH || VfShouldFail(VfSiteMdl, 0, __builtin_return_address(0)))
        return NULL;
    PMDL mdl = ExAllocatePoolWithTag(NonPagedPool, MmSizeOfMdl(VirtualAddress, Length), IOP_MDL_TAG);
    if (!mdl)
        return NULL;
    IopInitializeMdl(mdl, VirtualAddress, Length);
    if (Irp) {
        if (!SecondaryBuffer || !Irp->MdlAddress) {
            Irp->MdlAddress = mdl;
        } else {
            PMDL m = Irp->MdlAddress;
            while (m->Next)
                m = m->Next;
            m->Next = mdl;
        }
    }
    return mdl;
}

/* IRQL <= DISPATCH_LEVEL. */
VOID IoFreeMdl(PMDL Mdl)
{
    if (Mdl->MdlFlags & MDL_PAGES_LOCKED)
        KeBugCheckEx(0x76 /* PROCESS_HAS_LOCKED_PAGES */, 0, (ULONG_PTR)Mdl, 0, 0);
    ExFreePoolWithTag(Mdl, IOP_MDL_TAG);
}

/* IRQL <= DISPATCH_LEVEL. TargetMdl (from IoAllocateMdl for VirtualAddress/Length) describes
 * part of SourceMdl's buffer, which must already be locked; its frames are copied, not looked
 * up again, and it inherits a system mapping. It is never locked itself, so freeing it needs no
 * unlock; the source must stay locked until the partial MDL is done with. */
VOID IoBuildPartialMdl(PMDL SourceMdl, PMDL TargetMdl, PVOID VirtualAddress, ULONG Length)
{
    ULONG_PTR base = (ULONG_PTR)MmGetMdlVirtualAddress(SourceMdl), va = (ULONG_PTR)VirtualAddress;
    if (!Length)
        Length = (ULONG)(SourceMdl->ByteCount - (va - base));
    if (va < base || va + Length > base + SourceMdl->ByteCount)
        KeBugCheckEx(0x40 /* TARGET_MDL_TOO_SMALL */, (ULONG_PTR)SourceMdl, (ULONG_PTR)TargetMdl, va, Length);
    IopInitializeMdl(TargetMdl, VirtualAddress, Length);
    ULONG first = (ULONG)(((va & ~(ULONG_PTR)(PAGE_SIZE - 1)) - (ULONG_PTR)SourceMdl->StartVa) >> PAGE_SHIFT);
    ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(VirtualAddress, Length);
    for (ULONG i = 0; i < pages; i++)
        MmGetMdlPfnArray(TargetMdl)[i] = MmGetMdlPfnArray(SourceMdl)[first + i];
    TargetMdl->MdlFlags = MDL_PARTIAL | (SourceMdl->MdlFlags & (MDL_SOURCE_IS_NONPAGED_POOL | MDL_MAPPED_TO_SYSTEM_VA));
    if (TargetMdl->MdlFlags & (MDL_SOURCE_IS_NONPAGED_POOL | MDL_MAPPED_TO_SYSTEM_VA))
        TargetMdl->MappedSystemVa = (PUCHAR)SourceMdl->MappedSystemVa + (va - base);
}

/* The page-table page that maps Va (its 4 KiB entries), or NULL; a 2 MiB or 1 GiB page gives
 * its frame-aligned base in *Large instead. */
static PULONG64 IopPageTableOf(ULONG64 Va, PULONG64 Large, PULONG64 LargeMask)
{
    ULONG64 table = __readcr3() & 0x000FFFFFFFFFF000ULL;
    static const ULONG shifts[3] = { 39, 30, 21 };
    *Large = ~0ULL;
    for (ULONG level = 0; level < 3; level++) {
        ULONG64 e = ((PULONG64)HalPhysicalToVirtual(table))[(Va >> shifts[level]) & 511];
        if (!(e & 1))
            return NULL;
        table = e & 0x000FFFFFFFFFF000ULL;
        if (level > 0 && (e & 0x80)) {
            *LargeMask = (1ULL << shifts[level]) - 1;
            *Large = table & ~*LargeMask;
            return NULL;
        }
    }
    return HalPhysicalToVirtual(table);
}

/* Every page's frame: one walk per 2 MiB of the buffer, then that page table's entries in turn
 * (an MDL of a 256 KiB view is 64 frames; a walk each cost four table reads a page). */
static BOOLEAN IopFillPfns(PMDL Mdl)
{
    PPFN_NUMBER pfn = MmGetMdlPfnArray(Mdl);
    ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(Mdl), Mdl->ByteCount);
    ULONG64 va = (ULONG64)Mdl->StartVa;
    for (ULONG i = 0; i < pages;) {
        ULONG64 large, mask = 0;
        PULONG64 pt = IopPageTableOf(va, &large, &mask);
        if (!pt && large == ~0ULL)
            return FALSE;
        do { /* the pages this table (or large page) maps */
            if (pt) {
                ULONG64 e = pt[(va >> 12) & 511];
                if (!(e & 1))
                    return FALSE;
                pfn[i] = (e & 0x000FFFFFFFFFF000ULL) >> PAGE_SHIFT;
            } else {
                pfn[i] = (large | (va & mask)) >> PAGE_SHIFT;
            }
            i++;
            va += PAGE_SIZE;
        } while (i < pages && (va & ((2ULL << 20) - 1)) && (pt || (va & mask)));
    }
    return TRUE;
}

/* IRQL <= DISPATCH_LEVEL. The buffer is nonpaged: its system address is its own. */
VOID MmBuildMdlForNonPagedPool(PMDL Mdl)
{
    if (!IopFillPfns(Mdl))
        KeBugCheckEx(PAGE_FAULT_IN_NONPAGED_AREA, (ULONG_PTR)Mdl->StartVa, 0, 0, 0);
    Mdl->MappedSystemVa = MmGetMdlVirtualAddress(Mdl);
    Mdl->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
}

/* IRQL <= APC_LEVEL for pageable buffers, <= DISPATCH_LEVEL for nonpaged ones. Touches
 * every page (so a pageable one is brought in), pins pageable ones, and records each frame. */
VOID MmProbeAndLockPages(PMDL Mdl, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation)
{
    UNREFERENCED_PARAMETER(AccessMode);
    ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(Mdl), Mdl->ByteCount);
    for (ULONG i = 0; i < pages; i++) {
        PUCHAR va = (PUCHAR)Mdl->StartVa + (ULONG64)i * PAGE_SIZE + (i ? 0 : Mdl->ByteOffset);
        (void)*(volatile UCHAR *)va;
        if (MmIsAddressPageable(va)) /* pinned until MmUnlockPages: its frame must not change */
            MmLockPageablePage(va);
    }
    if (!IopFillPfns(Mdl))
        KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)STATUS_ACCESS_VIOLATION, (ULONG_PTR)Mdl->StartVa, 0, 0);
    Mdl->MdlFlags |= MDL_PAGES_LOCKED | (Operation != IoReadAccess ? MDL_IO_PAGE_READ : 0);
}

/* IRQL <= DISPATCH_LEVEL. */
VOID MmUnlockPages(PMDL Mdl)
{
    if (!(Mdl->MdlFlags & MDL_PAGES_LOCKED))
        KeBugCheckEx(0x7A /* KERNEL_DATA_INPAGE_ERROR-like misuse */, (ULONG_PTR)Mdl, 0, 0, 0);
    if (Mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)
        MmUnmapLockedPages(Mdl->MappedSystemVa, Mdl);
    ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(Mdl), Mdl->ByteCount);
    for (ULONG i = 0; i < pages; i++)
        if (MmIsAddressPageable((PUCHAR)Mdl->StartVa + (ULONG64)i * PAGE_SIZE))
            MmUnlockPageablePage((PUCHAR)Mdl->StartVa + (ULONG64)i * PAGE_SIZE);
    Mdl->MdlFlags &= ~(MDL_PAGES_LOCKED | MDL_IO_PAGE_READ);
}

/* IRQL <= DISPATCH_LEVEL. Every locked page is reachable through the direct map of physical
 * memory; a buffer on one page (or physically contiguous) maps without copying tables. */
PVOID MmMapLockedPagesSpecifyCache(PMDL Mdl, KPROCESSOR_MODE AccessMode, ULONG CacheType, PVOID RequestedAddress,
                                   ULONG BugCheckOnFailure, ULONG Priority)
{
    UNREFERENCED_PARAMETER(AccessMode);
    UNREFERENCED_PARAMETER(CacheType);
    UNREFERENCED_PARAMETER(RequestedAddress);
    UNREFERENCED_PARAMETER(Priority);
    PPFN_NUMBER pfn = MmGetMdlPfnArray(Mdl);
    ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(Mdl), Mdl->ByteCount);
    for (ULONG i = 1; i < pages; i++) {
        if (pfn[i] != pfn[0] + i) {
            /* not contiguous: the buffer's own kernel address is a system address here */
            Mdl->MappedSystemVa = MmGetMdlVirtualAddress(Mdl);
            Mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
            return Mdl->MappedSystemVa;
        }
    }
    if (!pages && BugCheckOnFailure)
        KeBugCheckEx(0x40 /* TARGET_MDL_TOO_SMALL */, (ULONG_PTR)Mdl, 0, 0, 0);
    Mdl->MappedSystemVa = (PUCHAR)HalPhysicalToVirtual(pfn[0] << PAGE_SHIFT) + Mdl->ByteOffset;
    Mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
    return Mdl->MappedSystemVa;
}

/* IRQL <= DISPATCH_LEVEL. */
VOID MmUnmapLockedPages(PVOID BaseAddress, PMDL Mdl)
{
    UNREFERENCED_PARAMETER(BaseAddress);
    Mdl->MdlFlags &= ~MDL_MAPPED_TO_SYSTEM_VA;
    Mdl->MappedSystemVa = NULL;
}
