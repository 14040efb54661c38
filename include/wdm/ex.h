/* wdm/ex.h - executive pool allocation, with the WDM names and pool types.
 * Nonpaged pool: IRQL <= DISPATCH_LEVEL. Paged pool: IRQL <= APC_LEVEL. */
#pragma once
#include <ntdef.h>
#include <ntstatus.h>

typedef enum _POOL_TYPE {
    NonPagedPool = 0,
    NonPagedPoolExecute = 0,
    PagedPool = 1,
    NonPagedPoolMustSucceed = 2,
    NonPagedPoolCacheAligned = 4,
    PagedPoolCacheAligned = 5,
    NonPagedPoolNx = 512,
} POOL_TYPE;

typedef ULONG64 POOL_FLAGS;
#define POOL_FLAG_REQUIRED_START 0x0000000000000001ULL
#define POOL_FLAG_USE_QUOTA 0x0000000000000001ULL
#define POOL_FLAG_UNINITIALIZED 0x0000000000000002ULL
#define POOL_FLAG_SESSION 0x0000000000000004ULL
#define POOL_FLAG_CACHE_ALIGNED 0x0000000000000008ULL
#define POOL_FLAG_RAISE_ON_FAILURE 0x0000000000000020ULL
#define POOL_FLAG_NON_PAGED 0x0000000000000040ULL
#define POOL_FLAG_NON_PAGED_EXECUTE 0x0000000000000080ULL
#define POOL_FLAG_PAGED 0x0000000000000100ULL

PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag);
PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes);
VOID ExFreePoolWithTag(PVOID P, ULONG Tag);
VOID ExFreePool(PVOID P);

/* ---- The WDK's pool variants (inline, so pool is charged to the driver that calls) ---- */
#define POOL_QUOTA_FAIL_INSTEAD_OF_RAISE 8
#define POOL_RAISE_IF_ALLOCATION_FAILURE 16
typedef enum _EX_POOL_PRIORITY { LowPoolPriority, NormalPoolPriority = 16, HighPoolPriority = 32 } EX_POOL_PRIORITY;
DECLSPEC_NORETURN VOID ExRaiseStatus(NTSTATUS Status);
VOID ExpCheckQuotaPoolIrql(void); /* IRQL <= APC_LEVEL (rule IrqlExApcLte2) */

/* IRQL: as ExAllocatePoolWithTag. Zeroed memory. */
FORCEINLINE PVOID ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    PVOID p = ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
    if (p)
        __builtin_memset(p, 0, NumberOfBytes);
    return p;
}
FORCEINLINE PVOID ExAllocatePoolUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}
FORCEINLINE PVOID ExAllocatePoolWithTagPriority(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag,
                                                EX_POOL_PRIORITY Priority)
{
    (void)Priority;
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}
/* IRQL <= APC_LEVEL. There are no processes to charge, so no quota is charged; a failure
 * raises STATUS_INSUFFICIENT_RESOURCES unless PoolType has POOL_QUOTA_FAIL_INSTEAD_OF_RAISE. */
FORCEINLINE PVOID ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    ExpCheckQuotaPoolIrql();
    PVOID p = ExAllocatePoolWithTag((POOL_TYPE)(PoolType & ~POOL_QUOTA_FAIL_INSTEAD_OF_RAISE), NumberOfBytes, Tag);
    if (!p && !(PoolType & POOL_QUOTA_FAIL_INSTEAD_OF_RAISE))
        ExRaiseStatus(STATUS_INSUFFICIENT_RESOURCES);
    return p;
}
#define ExAllocatePoolWithQuota(t, n) ExAllocatePoolWithQuotaTag((t), (n), 'enoN')
FORCEINLINE PVOID ExAllocatePoolQuotaZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    PVOID p = ExAllocatePoolWithQuotaTag(PoolType, NumberOfBytes, Tag);
    if (p)
        __builtin_memset(p, 0, NumberOfBytes);
    return p;
}
#define ExAllocatePoolQuotaUninitialized ExAllocatePoolWithQuotaTag

/* ExInitializeDriverRuntime(DrvRtPoolNxOptIn): a POOL_NX_OPTIN driver's opt-in. Every
 * nonpaged pool page here is already no-execute, so NonPagedPool and NonPagedPoolNx are the
 * same pool; the call records the opt-in. IRQL: PASSIVE_LEVEL (in DriverEntry). */
#define DrvRtPoolNxOptIn 0x00000001
VOID ExInitializeDriverRuntime(ULONG RuntimeFlags);
#define NonPagedPoolBaseMustSucceed NonPagedPoolMustSucceed
#define NonPagedPoolNxCacheAligned NonPagedPoolCacheAligned
