/* include/irqlab/vf.h - IRQLab's fault injection (kernel/vf/): the one inline check every
 * injection site calls, and the few services the RAM disk's simulated controller asks for.
 *
 * This has no WDM form: Driver Verifier's Low Resources Simulation and Force Pending I/O are
 * switched on from outside a driver, never called by it. Sites in the kernel (pool, IRPs,
 * MDLs, work items, request builders, IoSetCompletionRoutineEx, IoCreateDevice, IoCallDriver)
 * and in drivers/ramdisk (disk errors, power cut, controller timing) call VfShouldFail(). A
 * site whose class no rule names costs one load, one test and one predicted-not-taken branch.
 * The rules come from the boot option `fault=` (grammar: docs/fault-injection.md). */
#pragma once
#include <ntddk.h>
#include <ntstrsafe.h>

typedef enum _VF_SITE {
    VfSitePool,        /* ExAllocatePool2 / ExAllocatePoolWithTag / ExAllocatePool: NULL */
    VfSiteIrp,         /* IoAllocateIrp: NULL */
    VfSiteMdl,         /* IoAllocateMdl: NULL (also what IoBuildPartialMdl's callers allocate) */
    VfSiteWorkItem,    /* IoAllocateWorkItem: NULL */
    VfSiteFsdRequest,  /* IoBuildSynchronousFsdRequest / IoBuildAsynchronousFsdRequest: NULL */
    VfSiteCompletionEx,/* IoSetCompletionRoutineEx: STATUS_INSUFFICIENT_RESOURCES */
    VfSiteDevice,      /* IoCreateDevice: STATUS_INSUFFICIENT_RESOURCES */
    VfSitePending,     /* IoCallDriver: STATUS_PENDING, completion deferred to a timer DPC */
    VfSiteDiskRead,    /* RAM disk read: an error status */
    VfSiteDiskWrite,   /* RAM disk write: an error status, or a torn write */
    VfSiteDiskTiming,  /* RAM disk controller: latency jitter, reordering, spurious interrupts */
    VfSitePowerCut,    /* RAM disk write landed: the machine stops, the disk is exported */
    VfSiteCancel,      /* the I/O manager waits on a pended request: IoCancelIrp on it */
    VfSiteDelayWorker, /* a system worker thread, before each work item: a seeded sleep or a yield */
    VfSiteDelayDpc,    /* before each DPC routine: a seeded busy delay at DISPATCH_LEVEL */
    VfSiteCount
} VF_SITE;

extern volatile ULONG VfArmedSites; /* bit per VF_SITE; 0 unless a fault= rule is armed */

/* IRQL: any (the sites run up to DISPATCH_LEVEL). Slow path of VfShouldFail. */
BOOLEAN VfpDecide(VF_SITE Site, ULONG64 Key, PVOID Caller);

/* IRQL: any. The bare test, for a site that makes its decision itself (IoCallDriver). */
static inline __attribute__((always_inline)) BOOLEAN VfSiteArmed(VF_SITE Site)
{
    return __builtin_expect((VfArmedSites & (1u << Site)) != 0, 0);
}

/* IRQL: any. Key: the pool tag (low 32 bits) and pool type (bit 32 set for paged) for
 * VfSitePool, the major function for VfSitePending, the first sector for the disk sites;
 * Caller: the return address into the routine that called the public API. TRUE: fail now. */
static inline __attribute__((always_inline)) BOOLEAN VfShouldFail(VF_SITE Site, ULONG64 Key, PVOID Caller)
{
    if (__builtin_expect(!(VfArmedSites & (1u << Site)), 1))
        return FALSE;
    return VfpDecide(Site, Key, Caller);
}

/* IoCallDriver's hook (io/iocall.c). IRQL <= DISPATCH_LEVEL. TRUE: the IRP's next location's
 * completion routine was wrapped so completion reaches the caller later, from a timer DPC;
 * IoCallDriver then returns STATUS_PENDING whatever the driver returned. */
BOOLEAN VfForcePending(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Caller);

/* The I/O manager's hook where a Zw caller's thread waits for a request IoCallDriver returned
 * STATUS_PENDING for (io/file.c); Major: the request's, read before it was sent. IRQL: PASSIVE_LEVEL. A cancel rule may wait up to its delay=
 * for Done, then, if the request is still in flight, calls IoCancelIrp on it at APC_LEVEL (the
 * request's final completion is an APC to this thread, so the IRP cannot be freed meanwhile). */
VOID VfCancelInFlight(PIRP Irp, UCHAR Major, PKEVENT Done, PVOID Caller);

/* Delay and schedule fuzzing. IRQL: PASSIVE_LEVEL for VfSiteDelayWorker (sleeps, or yields
 * when the draw is 0), DISPATCH_LEVEL for VfSiteDelayDpc (stalls). Caller: the routine about
 * to run (the work item's or the DPC's), for driver= and the FAULT line. */
VOID VfDelay(VF_SITE Site, PVOID Caller);
/* IRQL: any. The delay the last VfDelay injected, in microseconds (0: a yield or none). */
ULONG VfLastDelayUs(void);

/* ---- what the RAM disk's controller asks (drivers/ramdisk) ---- */
typedef struct _VF_DISK_FAULT {
    NTSTATUS Status;   /* the error the request completes with */
    ULONG TornSectors; /* writes: how many leading sectors land before the error */
} VF_DISK_FAULT;

/* IRQL <= DISPATCH_LEVEL. TRUE: this request (Sector, Count sectors) fails as *Fault says. */
BOOLEAN VfDiskError(BOOLEAN Write, ULONG64 Sector, ULONG Count, VF_DISK_FAULT *Fault);
/* IRQL: any. Extra completion latency in microseconds for the request being started. */
ULONG VfDiskJitterUs(void);
/* IRQL: any. The maximum jitter a rule may ask for (0: none), known before any request. */
ULONG VfDiskMaxJitterUs(void);
/* IRQL: any. Which of Queued requests the controller takes next (0: the oldest). */
ULONG VfDiskPickNext(ULONG Queued);
/* IRQL: any. TRUE: raise an interrupt now although nothing is in flight. */
BOOLEAN VfDiskSpuriousInterrupt(void);

/* IRQL: PASSIVE_LEVEL. Parses Spec (the fault= grammar) into the rule table and arms it;
 * STATUS_INVALID_PARAMETER (and one line on the console) for a word it does not know. */
NTSTATUS VfConfigure(PCSTR Spec);
/* IRQL: PASSIVE_LEVEL. Disarms every site and forgets the rules and counters. */
VOID VfReset(void);
/* IRQL: any. Calls seen and faults injected at Site since the last VfConfigure. */
VOID VfQuerySite(VF_SITE Site, PULONG64 Calls, PULONG64 Faults);
/* IRQL: any. Faults injected in all, the FAULT lines' sequence number. */
ULONG64 VfFaultCount(void);
/* IRQL: any. Prints the VF-SITE / VF-RULE summary lines (also part of every stop report). */
VOID VfPrintSummary(void);

/* Kernel only: KiSystemStartup arms the boot option fault= once the drivers are loaded. */
VOID VfInitialize(void);
