/* wdm/mm.h - the memory manager's public interface: pageable code, address queries, pool
 * tracking and reports, and the driver-image registry the I/O manager fills. */
#pragma once
#include <ntdef.h>

/* Pageable code: the `#pragma alloc_text(PAGE, Routine)` of this kernel. The routine goes
 * to .pagetext, which the pager evicts like paged pool; call it only at IRQL <= APC_LEVEL. */
#define PAGEABLE __attribute__((section("PAGE"), noipa))

/* PAGED_CODE(): IRQL <= APC_LEVEL, else the assertion failure a checked Windows build
 * raises without a debugger: KMODE_EXCEPTION_NOT_HANDLED (0x1E) with P1 = 0xC0000420
 * (STATUS_ASSERTION_FAILURE), P2 = the address in the routine that asserted. */
VOID MmCheckPagedCode(void);
#define PAGED_CODE() MmCheckPagedCode()

/* Bug checks the memory manager raises besides those in wdm/ke.h. */
#define ATTEMPTED_WRITE_TO_READONLY_MEMORY 0xBE  /* address, PTE, 0, 0 */
#define ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY 0xFC /* address, PTE, 0, 0 */
#define STATUS_ASSERTION_FAILURE_CODE 0xC0000420

/* IRQL: any. TRUE if touching Address now would not fault. */
BOOLEAN MmIsAddressValid(PVOID VirtualAddress);

/* IRQL: any. Evicts every resident pageable page (paged pool and pageable code) to the
 * backing store; returns how many left memory. */
ULONG MmTrimPagedPool(void);
VOID MmLockPageablePage(PVOID Va);   /* IRQL <= DISPATCH_LEVEL: pin for I/O (MDL locking) */
VOID MmUnlockPageablePage(PVOID Va); /* IRQL <= DISPATCH_LEVEL */

typedef struct _MM_PAGING_STATISTICS {
    ULONG64 PageIns;      /* faults or explicit touches that brought a page back */
    ULONG64 PageWrites;   /* dirty pages written to the backing store */
    ULONG64 Evictions;    /* pages that left memory */
    ULONG ResidentPageable;
    ULONG WorkingSetLimit; /* boot option mmwslimit=N pages; 0 = only physical pressure */
    ULONG64 FreePhysicalPages, TotalPhysicalPages;
} MM_PAGING_STATISTICS, *PMM_PAGING_STATISTICS;
/* IRQL: any. */
VOID MmQueryPagingStatistics(PMM_PAGING_STATISTICS Statistics);

/* Driver images. A driver is a code range: the I/O manager registers each driver's range
 * before DriverEntry and unregisters it after unload. A page fault at IRQL >= DISPATCH_LEVEL
 * whose instruction lies in a registered range is DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xD1) and
 * names the driver; otherwise IRQL_NOT_LESS_OR_EQUAL (0x0A). Pool allocations are charged
 * to the driver whose code called the allocator. IRQL: PASSIVE_LEVEL. */
NTSTATUS MmRegisterDriverImage(PCSTR DriverName, PVOID Start, SIZE_T Length);
VOID MmUnregisterDriverImage(PCSTR DriverName);
PCSTR MmLookupDriverByAddress(PVOID Address); /* IRQL: any; NULL if no driver */

/* Pool tracking at driver unload (IRQL: PASSIVE_LEVEL). Counts the allocations still
 * outstanding that were made from DriverName's registered code, or that carry one of Tags
 * (TagCount may be 0). With the verifier's pool tracking on (verifier=pool or all) an
 * outstanding allocation prints the driver's leaks and bug-checks
 * DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4) P1 = 0x62, P2 = DriverName, P3 = the tag of one
 * leaked allocation, P4 = number of outstanding allocations. Otherwise returns the count. */
ULONG MmVerifyDriverUnload(PCSTR DriverName, const ULONG *Tags, ULONG TagCount);
/* IRQL <= DISPATCH_LEVEL. Nonzero when Driver Verifier checks DriverObject's driver. */
typedef ULONG LOGICAL;
struct _DRIVER_OBJECT;
LOGICAL MmIsDriverVerifying(struct _DRIVER_OBJECT *DriverObject);

/* Pool usage per tag: allocations, frees, outstanding, bytes, pool type, owner driver.
 * IRQL: any (it prints). */
VOID ExDumpPoolUsage(void);
typedef struct _POOL_TAG_USAGE {
    ULONG64 Allocations, Frees;
    ULONG64 Outstanding, Bytes;
} POOL_TAG_USAGE;
/* IRQL: any. Sums every entry with Tag (both pool types when PoolType is ~0u). */
VOID ExQueryPoolTagUsage(ULONG Tag, ULONG PoolType, POOL_TAG_USAGE *Usage);
