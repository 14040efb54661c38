/* wdm/exres.h - executive resources (ERESOURCE): reader/writer locks that threads own,
 * recursively, with the wdm.h names and signatures. Callers hold normal kernel APCs off
 * (KeEnterCriticalRegion) from acquire to release; Verifier stops otherwise (0xC4/0x37). */
#pragma once
#include <wdm/kesync.h>

typedef ULONG_PTR ERESOURCE_THREAD, *PERESOURCE_THREAD;

typedef struct _OWNER_ENTRY {
    ERESOURCE_THREAD OwnerThread; /* the owning thread; the low bit marks a shared waiter's slot */
    union {
        LONG OwnerCount;          /* acquisitions by that thread */
        ULONG TableSize;          /* in OwnerTable[0]: how many entries the table has */
    };
} OWNER_ENTRY, *POWNER_ENTRY;

typedef struct _ERESOURCE {
    LIST_ENTRY SystemResourcesList; /* every initialized resource (Verifier: 0xD0, 0xD1) */
    POWNER_ENTRY OwnerTable;        /* shared owners beyond OwnerEntry, grown on demand */
    SHORT ActiveCount;              /* owner entries granted (an exclusive owner counts one) */
    USHORT Flag;
    PKSEMAPHORE SharedWaiters;
    PKEVENT ExclusiveWaiters;
    OWNER_ENTRY OwnerEntry;         /* the exclusive owner, or one shared owner */
    ULONG ActiveEntries;
    ULONG ContentionCount;
    ULONG NumberOfSharedWaiters;
    ULONG NumberOfExclusiveWaiters;
    PVOID Reserved2;
    PVOID Address;
    KSPIN_LOCK SpinLock;
} ERESOURCE, *PERESOURCE;

#define ResourceNeverExclusive 0x0010
#define ResourceReleaseByOtherThread 0x0020
#define ResourceOwnedExclusive 0x0080

#define ExGetCurrentResourceThread() ((ERESOURCE_THREAD)PsGetCurrentThread())

/* IRQL <= DISPATCH_LEVEL; the storage is nonpaged. */
NTSTATUS ExInitializeResourceLite(PERESOURCE Resource);
NTSTATUS ExReinitializeResourceLite(PERESOURCE Resource);
/* IRQL <= APC_LEVEL (IrqlExApcLte3). */
NTSTATUS ExDeleteResourceLite(PERESOURCE Resource);

/* IRQL <= APC_LEVEL (IrqlExApcLte3: 0xC4/0x20007 above it), inside a critical region.
 * Wait = FALSE: FALSE at once if the resource cannot be had now. */
BOOLEAN ExAcquireResourceExclusiveLite(PERESOURCE Resource, BOOLEAN Wait);
BOOLEAN ExAcquireResourceSharedLite(PERESOURCE Resource, BOOLEAN Wait);
BOOLEAN ExAcquireSharedStarveExclusive(PERESOURCE Resource, BOOLEAN Wait);
BOOLEAN ExAcquireSharedWaitForExclusive(PERESOURCE Resource, BOOLEAN Wait);
/* IRQL <= APC_LEVEL (IrqlExApcLte3). */
VOID ExConvertExclusiveToSharedLite(PERESOURCE Resource);

/* IRQL <= DISPATCH_LEVEL. */
VOID ExReleaseResourceLite(PERESOURCE Resource);
VOID ExReleaseResourceForThreadLite(PERESOURCE Resource, ERESOURCE_THREAD ResourceThreadId);
#define ExReleaseResource(R) ExReleaseResourceLite(R)

/* IRQL <= DISPATCH_LEVEL. About the calling thread, or the resource's waiters. */
BOOLEAN ExIsResourceAcquiredExclusiveLite(PERESOURCE Resource);
ULONG ExIsResourceAcquiredSharedLite(PERESOURCE Resource);
ULONG ExIsResourceAcquiredLite(PERESOURCE Resource);
ULONG ExGetExclusiveWaiterCount(PERESOURCE Resource);
ULONG ExGetSharedWaiterCount(PERESOURCE Resource);

#define RESOURCE_NOT_OWNED 0xE3

/* ---- Run-down protection: many threads may hold a reference to an object until its
 * owner runs it down; after that every acquire fails, and the owner waits for the holders
 * to leave. Acquire/release: IRQL <= DISPATCH_LEVEL; wait: IRQL < DISPATCH_LEVEL. ---- */
typedef struct _EX_RUNDOWN_REF {
    union {
        volatile ULONG_PTR Count; /* references * 2; bit 0: run-down started (then a wait block) */
        volatile PVOID Ptr;
    };
} EX_RUNDOWN_REF, *PEX_RUNDOWN_REF;
VOID ExInitializeRundownProtection(PEX_RUNDOWN_REF RunRef);
VOID ExReInitializeRundownProtection(PEX_RUNDOWN_REF RunRef);
BOOLEAN ExAcquireRundownProtection(PEX_RUNDOWN_REF RunRef);
BOOLEAN ExAcquireRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count);
VOID ExReleaseRundownProtection(PEX_RUNDOWN_REF RunRef);
VOID ExReleaseRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count);
VOID ExWaitForRundownProtectionRelease(PEX_RUNDOWN_REF RunRef);
VOID ExRundownCompleted(PEX_RUNDOWN_REF RunRef);
