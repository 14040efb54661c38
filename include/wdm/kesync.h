/* wdm/kesync.h - the rest of wdm.h/ntddk.h/ntifs.h's kernel synchronisation: priority
 * increments, mutants, KePulseEvent, guarded mutexes, SYNCH_LEVEL and numbered queued locks. */
#pragma once
#include <wdm/kedisp.h>

/* Priority increments a signaller passes (wdm.h values). A woken thread's priority becomes
 * base + increment, never above 15: boosts stay out of the real-time range. */
#define EVENT_INCREMENT 1
#define SEMAPHORE_INCREMENT 1
#define MUTANT_INCREMENT 1
#define IO_CD_ROM_INCREMENT 1
#define IO_MAILSLOT_INCREMENT 2
#define IO_NAMED_PIPE_INCREMENT 2
#define IO_NETWORK_INCREMENT 2
#define IO_PARALLEL_INCREMENT 1
#define IO_SERIAL_INCREMENT 2
#define IO_SOUND_INCREMENT 8
#define IO_VIDEO_INCREMENT 1
#define IO_KEYBOARD_INCREMENT 6
#define IO_MOUSE_INCREMENT 6

typedef ULONG LOGICAL, *PLOGICAL;

/* IRQL <= DISPATCH_LEVEL. Signals, wakes what can be woken, resets. */
LONG KePulseEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait);

/* Mutants: mutexes that do not hold off APCs and that an exiting owner abandons (the next
 * wait that takes one returns STATUS_ABANDONED_WAIT_0 + index). IRQL <= DISPATCH_LEVEL. */
typedef KMUTANT *PRKMUTANT;
VOID KeInitializeMutant(PRKMUTANT Mutant, BOOLEAN InitialOwner);
LONG KeReleaseMutant(PRKMUTANT Mutant, KPRIORITY Increment, BOOLEAN Abandoned, BOOLEAN Wait);
LONG KeReadStateMutant(PRKMUTANT Mutant);
#ifndef STATUS_ABANDONED_WAIT_0
#define STATUS_ABANDONED_WAIT_0 ((NTSTATUS)0x00000080L)
#endif

/* IRQL: any. TRUE at IRQL >= APC_LEVEL or inside a guarded region (special APCs too are
 * held off); a critical region alone leaves special kernel APCs enabled. */
BOOLEAN KeAreAllApcsDisabled(void);

/* Guarded mutexes: like fast mutexes, but the owner is in a guarded region instead of at
 * APC_LEVEL. Acquire, release, try: IRQL <= APC_LEVEL. The Unsafe forms enter no region:
 * the caller is at APC_LEVEL or already inside a guarded region. */
typedef struct _KGATE { DISPATCHER_HEADER Header; } KGATE, *PKGATE;
typedef struct _KGUARDED_MUTEX {
    volatile LONG Count;
    PKTHREAD Owner;
    ULONG Contention;
    KGATE Gate;
    union {
        struct {
            SHORT KernelApcDisable;
            SHORT SpecialApcDisable;
        };
        ULONG CombinedApcDisable;
    };
} KGUARDED_MUTEX, *PKGUARDED_MUTEX;
VOID KeInitializeGuardedMutex(PKGUARDED_MUTEX Mutex);
VOID KeAcquireGuardedMutex(PKGUARDED_MUTEX Mutex);
VOID KeReleaseGuardedMutex(PKGUARDED_MUTEX Mutex);
BOOLEAN KeTryToAcquireGuardedMutex(PKGUARDED_MUTEX Mutex);
VOID KeAcquireGuardedMutexUnsafe(PKGUARDED_MUTEX FastMutex);
VOID KeReleaseGuardedMutexUnsafe(PKGUARDED_MUTEX FastMutex);

/* Fast mutexes without the IRQL change: the caller is at APC_LEVEL or inside a critical
 * or guarded region (Verifier 0xC4 P1 0x39 / 0x3A otherwise: IRQL, APC disable count,
 * mutex). */
VOID ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex);
VOID ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex);

/* SYNCH_LEVEL: the IRQL the dispatcher synchronises at on a multiprocessor (x64 value). */
#define SYNCH_LEVEL (IPI_LEVEL - 2)
KIRQL KeRaiseIrqlToSynchLevel(void);               /* IRQL <= SYNCH_LEVEL */
KIRQL KeAcquireSpinLockRaiseToSynch(PKSPIN_LOCK SpinLock); /* IRQL <= SYNCH_LEVEL; KeReleaseSpinLock */

/* In-stack queued spin locks from code that may run as a DPC or not. IRQL <= DISPATCH_LEVEL. */
VOID KeAcquireInStackQueuedSpinLockForDpc(PKSPIN_LOCK SpinLock, PKLOCK_QUEUE_HANDLE LockHandle);
VOID KeReleaseInStackQueuedSpinLockForDpc(PKLOCK_QUEUE_HANDLE LockHandle);

/* Numbered (global) queued spin locks. Acquire: IRQL <= DISPATCH_LEVEL, returns the old
 * IRQL at DISPATCH_LEVEL; release: IRQL == DISPATCH_LEVEL. */
typedef enum _KSPIN_LOCK_QUEUE_NUMBER {
    LockQueueUnusedSpare0,
    LockQueueUnusedSpare1,
    LockQueueUnusedSpare2,
    LockQueueUnusedSpare3,
    LockQueueVacbLock,
    LockQueueMasterLock,
    LockQueueNonPagedPoolLock,
    LockQueueIoCancelLock,
    LockQueueWorkQueueLock,
    LockQueueIoVpbLock,
    LockQueueIoDatabaseLock,
    LockQueueIoCompletionLock,
    LockQueueNtfsStructLock,
    LockQueueAfdWorkQueueLock,
    LockQueueBcbLock,
    LockQueueMmNonPagedPoolLock,
    LockQueueUnusedSpare16,
    LockQueueMaximumLock = LockQueueUnusedSpare16 + 1
} KSPIN_LOCK_QUEUE_NUMBER, *PKSPIN_LOCK_QUEUE_NUMBER;
KIRQL KeAcquireQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number);
VOID KeReleaseQueuedSpinLock(KSPIN_LOCK_QUEUE_NUMBER Number, KIRQL OldIrql);
