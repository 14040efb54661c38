/* ke/ki.h - kernel-internal state shared by the Ke files: the processor block, trap frame,
 * boot parameters, verifier switches and the private Ki routines. Not for drivers. */
#pragma once
#include <ntddk.h>
#include <arch/x86.h>
#include <ntstrsafe.h>
#include "bugparams.h"

typedef struct _KTRAP_FRAME {
    ULONG64 R15, R14, R13, R12, R11, R10, R9, R8;
    ULONG64 Rbp, Rdi, Rsi, Rdx, Rcx, Rbx, Rax;
    ULONG64 Vector, ErrorCode;
    ULONG64 Rip, SegCs, EFlags, Rsp, SegSs;
} KTRAP_FRAME, *PKTRAP_FRAME;

#define KI_MAX_HELD_QUEUED_LOCKS 16
#define KI_MAX_PROCESSORS 8
#define KI_DISPATCHER_LOCK 0 /* numbered queued locks, one entry each per processor */
#define KI_MM_LOCK 1
#define KI_NUMBER_QUEUED_LOCKS 2

/* One per processor, reached through the GS base: gs:[0] is the block's own address, so
 * KeGetCurrentPrcb is one instruction and needs no processor number first. */
/* Driver Verifier's deadlock detection (kernel/vf/vfdeadlock.c): the locks one context (a
 * thread, or a processor's DPCs) holds, oldest first, each with its recursion depth. */
#define KI_DEADLOCK_MAX_HELD 16
typedef struct _KI_DEADLOCK_HELD {
    PVOID Lock[KI_DEADLOCK_MAX_HELD];
    UCHAR Type[KI_DEADLOCK_MAX_HELD];
    USHORT Depth[KI_DEADLOCK_MAX_HELD];
    ULONG Count;
} KI_DEADLOCK_HELD;

typedef struct _KPRCB {
    struct _KPRCB *Self;        /* must stay first */
    struct _KTHREAD *CurrentThread;
    ULONG Number;
    ULONG ApicId;
    LIST_ENTRY DpcListHead;
    KSPIN_LOCK DpcLock;         /* guards DpcListHead: other processors queue targeted DPCs */
    volatile ULONG DpcQueueDepth;
    volatile ULONG DpcCount;
    volatile BOOLEAN DpcRoutineActive;
    ULONG DpcTimeCount;         /* clock ticks the running DPC has taken (the DPC watchdog) */
    ULONG DpcWatchdogCount;     /* clock ticks in a row that found this processor at DISPATCH_LEVEL or up */
    KIRQL ClockInterruptedIrql; /* the IRQL the clock interrupt found */
    LIST_ENTRY ThreadedDpcListHead; /* threaded DPCs queued here, under DpcLock (ke/threadeddpc.c) */
    volatile ULONG ThreadedDpcDepth;
    volatile BOOLEAN ThreadedDpcActive;
    struct _KTHREAD *ThreadedDpcThread; /* runs them at PASSIVE_LEVEL, priority 31; NULL: they run as DPCs */
    PKSPIN_LOCK HeldQueuedLocks[KI_MAX_HELD_QUEUED_LOCKS];
    ULONG HeldQueuedLockCount;
    KSPIN_LOCK_QUEUE LockQueue[KI_NUMBER_QUEUED_LOCKS];
    ULONG LockDepth[KI_NUMBER_QUEUED_LOCKS];
    ULONG InterruptNesting;
    struct _KTHREAD *IdleThread;
    struct _KTHREAD *PreviousThread; /* the switch's old thread, until the new stack runs */
    LONG PendingPriority;       /* a thread sent here by KiReadyThread, not yet picked; -1 none */
    PVOID IdleStackTop;         /* application processors: the stack their start-up ran on */
    volatile LONG Started;      /* set by the processor itself once it runs kernel code */
    volatile LONG IpiRequests;  /* KI_IPI_* bits other processors have asked this one for */
    volatile ULONG64 IpiCount;  /* IPI interrupts taken */
    volatile ULONG64 DpcIpiRequests; /* of those asked, the ones that asked for a DPC interrupt */
    volatile KIRQL LastIpiIrql; /* the IRQL the last IPI ran at */
    volatile KIRQL FrozenIrql;  /* the bug-check freeze: IRQL and frame when it stopped */
    volatile BOOLEAN Frozen;
    ULONG64 FrozenRip, FrozenRbp;
    KI_DEADLOCK_HELD DpcDeadlockHeld; /* locks DPCs on this processor hold (deadlock detection) */
    SINGLE_LIST_ENTRY IrpLookaside; /* the I/O manager's free IRPs here (io/irp.c), as NT's PPLookasideList */
    ULONG IrpLookasideDepth;
} KPRCB, *PKPRCB;

extern KPRCB KiProcessorBlock[KI_MAX_PROCESSORS];
extern volatile ULONG KiActiveProcessorCount;
extern volatile KAFFINITY KiActiveProcessors;
FORCEINLINE PKPRCB KeGetCurrentPrcb(void)
{
    PKPRCB p;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(p));
    return p;
}
VOID KiInitializeProcessorBlock(ULONG Number); /* and points this processor's GS base at it */

/* Boot parameters gathered from Multiboot (the LOADER_PARAMETER_BLOCK of this kernel). */
#define KI_MAX_MEMORY_RANGES 64
#define KI_MAX_MODULES 8
typedef struct _KI_MEMORY_RANGE { ULONG64 Base, Length; ULONG Type; } KI_MEMORY_RANGE;
typedef struct _KI_MODULE { ULONG64 Start, End; CHAR Name[64]; } KI_MODULE;
typedef struct _LOADER_PARAMETER_BLOCK {
    CHAR CommandLine[512];
    ULONG MemoryRangeCount;
    KI_MEMORY_RANGE MemoryRanges[KI_MAX_MEMORY_RANGES];
    ULONG ModuleCount;
    KI_MODULE Modules[KI_MAX_MODULES];
    ULONG64 KernelPhysicalStart, KernelPhysicalEnd;
    ULONG64 HighestPhysicalAddress;
} LOADER_PARAMETER_BLOCK;
extern LOADER_PARAMETER_BLOCK KeLoaderBlock;

/* Boot options (kernel command line). */
PCSTR KiGetBootOption(PCSTR Name);                 /* value after "Name=", or NULL */
BOOLEAN KiBootOptionPresent(PCSTR Name);           /* "Name" or "Name=..." */
ULONG64 KiGetBootOptionNumber(PCSTR Name, ULONG64 Default);
BOOLEAN KiBootOptionHasWord(PCSTR Name, PCSTR Word); /* Name=a,b,c contains Word */
VOID KiValidateBootOptions(void); /* ke/bootopts.c: refuses a bad command line */
VOID KiInitializeDpcWatchdog(ULONG ClockHz); /* ke/dpc.c: boot option dpcwatchdog=MS */
VOID KiDpcWatchdogTick(PKTRAP_FRAME TrapFrame); /* ke/dpc.c: from the clock interrupt */
/* What the cumulative DPC watchdog's stop (0x133, P1 = 1) points to in P3 (Windows:
 * DPC_WATCHDOG_GLOBAL_TRIAGE_BLOCK): the processor, its ticks at DISPATCH_LEVEL and up, and
 * where the last tick found it. */
typedef struct _KI_DPC_WATCHDOG_TRIAGE { ULONG Processor; ULONG Ticks; ULONG64 Rip; KIRQL Irql; } KI_DPC_WATCHDOG_TRIAGE;
extern KI_DPC_WATCHDOG_TRIAGE KiDpcWatchdogTriage;
VOID KiInitializeDeadline(void);
VOID KiDeadlineTick(void);

/* Driver Verifier switches; the test runner boots with them on. */
#define VERIFIER_IRQL_CHECKING 0x01  /* bug-check rule violations with 0xC4 subcodes */
#define VERIFIER_IO_CHECKING 0x02
#define VERIFIER_FORCE_IRQL_TRIM 0x04 /* trim pageable memory on raise to DISPATCH */
#define VERIFIER_SPECIAL_POOL 0x08
#define VERIFIER_POOL_TRACKING 0x10
#define VERIFIER_DDI_CHECKING 0x20
#define VERIFIER_DEADLOCK_DETECTION 0x40 /* lock-order graph, 0xC4/0x1000-0x100B (kernel/vf/vfdeadlock.c) */ /* Exceptions: a __try frame of the faulting code takes it (rtl/seh.c); the debugger stop. */
BOOLEAN KiDispatchSehException(PKTRAP_FRAME TrapFrame, NTSTATUS Code);
VOID KdBreakPointTrap(PKTRAP_FRAME TrapFrame);

/* DDI compliance checking: WDM IRQL rules, 0xC4/0x200xx */
extern ULONG KiVerifierFlags;
extern VOID (*KiBugCheckTestHook)(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4);
FORCEINLINE BOOLEAN KiVerifierOn(ULONG Flag) { return (KiVerifierFlags & Flag) != 0; }
/* Changing the switches rewrites the inline fast paths' Verifier branches (ke/patch.c). */
VOID KiSetVerifierFlags(ULONG Flags);
VOID KiInitializeVerifierPatches(void);
BOOLEAN KiVerifierPatchesAgree(void);
typedef struct _KI_PATCH_ENTRY {
    ULONG_PTR Site;   /* the 5-byte instruction: jmp rel32, or Off */
    ULONG_PTR Target; /* the checked code the jmp goes to */
    ULONG_PTR Key;    /* KI_PATCH_KEY_* (wdm/keirql.h) */
    UCHAR Off[8];     /* the site while the key is off: a nop, or an IRQL site's CR8 write */
} KI_PATCH_ENTRY;
extern const KI_PATCH_ENTRY __kipatch_start[], __kipatch_end[];
typedef struct _KI_PATCH_STATISTICS {
    ULONG Rewrites;       /* times a key changed */
    ULONG SitesRewritten; /* 5-byte instructions written */
} KI_PATCH_STATISTICS;
extern KI_PATCH_STATISTICS KiPatchStatistics;

/* Deadlock detection hooks (kernel/vf/vfdeadlock.c), called by the lock routines when
 * VERIFIER_DEADLOCK_DETECTION is on: before an acquire that may wait (Try: after one that
 * succeeded without waiting), before a release, and when memory holding locks goes away. */
typedef enum _VF_DL_TYPE { VfDlSpinLock = 1, VfDlQueuedSpinLock, VfDlFastMutex, VfDlMutex, VfDlResource } VF_DL_TYPE;
VOID VfDeadlockAcquire(PVOID Lock, VF_DL_TYPE Type, BOOLEAN Try);
VOID VfDeadlockAcquireFailed(PVOID Lock); /* a timed-out or refused acquire: forget the attempt */
VOID VfDeadlockRelease(PVOID Lock, VF_DL_TYPE Type);
VOID VfDeadlockDeleteRange(PVOID Start, SIZE_T Size);
VOID VfDeadlockQuery(PULONG Nodes, PULONG Edges); /* locks and orders in the graph now */
#define KiDeadlockOn() ((KiVerifierFlags & VERIFIER_DEADLOCK_DETECTION) != 0)

/* Hooks other components fill in: who to tell when IRQL rises to DISPATCH (Mm trims
 * pageable pages there), what to do each clock tick, and what to print in a stop report. */
typedef VOID (*PKI_RAISE_HOOK)(void);
extern PKI_RAISE_HOOK KiDispatchRaiseHook;
extern VOID (*KiEventSetHook)(PRKEVENT Event); /* ke/event.c: called by KeSetEvent */
PKINTERRUPT KiGetVectorInterrupt(ULONG Vector);
extern volatile ULONG64 KiVectorDeliveries[256]; /* ke/trap.c: interrupts delivered per vector */
ULONG KiSnapshotTimers(PKTIMER *Timers, ULONG Max);

/* Traps and interrupts. */
VOID KiTrapDispatch(PKTRAP_FRAME TrapFrame);
VOID KiHandleException(PKTRAP_FRAME TrapFrame);
BOOLEAN KiPageFault(PKTRAP_FRAME TrapFrame, ULONG64 Address); /* Mm's: TRUE if resolved */
VOID KiDispatchInterruptVector(ULONG Vector, PKTRAP_FRAME TrapFrame);
VOID KiRetireDpcList(PKPRCB Prcb);
/* DpcLock held. Unlinks the first DPC of List (a queue of Prcb's), counts it off and marks it
 * not queued, so its routine may queue it again; what the routine gets is read before the lock
 * drops, since a requeue may change the arguments. NULL: the list is empty. */
typedef struct _KI_DPC_CALL { PKDEFERRED_ROUTINE Routine; PVOID Context, Argument1, Argument2; } KI_DPC_CALL;
FORCEINLINE PKDPC KiDequeueDpc(PLIST_ENTRY List, volatile ULONG *Depth, KI_DPC_CALL *Call)
{
    if (IsListEmpty(List))
        return NULL;
    PKDPC dpc = CONTAINING_RECORD(RemoveHeadList(List), KDPC, DpcListEntry);
    *Call = (KI_DPC_CALL){ dpc->DeferredRoutine, dpc->DeferredContext, dpc->SystemArgument1, dpc->SystemArgument2 };
    (*Depth)--;
    __atomic_store_n(&dpc->DpcData, NULL, __ATOMIC_RELEASE);
    return dpc;
}
/* Threaded DPCs (ke/threadeddpc.c). */
#define KI_THREADED_DPC_OBJECT 0x18 /* ThreadedDpcObject */
VOID KiInitializeThreadedDpcs(void);        /* PASSIVE_LEVEL, once every processor runs */
VOID KiWakeThreadedDpcThread(PKPRCB Prcb);  /* DISPATCH_LEVEL, from the DPC interrupt */
VOID KiDeliverApcInterrupt(PKTRAP_FRAME TrapFrame);
extern VOID (*KiApcInterruptHook)(PKTRAP_FRAME TrapFrame);
extern VOID (*KiDispatchInterruptHook)(KIRQL InterruptedIrql); /* after DPCs drain: the scheduler's turn */
VOID KiClockInterrupt(PKTRAP_FRAME TrapFrame);
extern VOID (*KiClockTickHook)(PKTRAP_FRAME TrapFrame);
extern volatile ULONG64 KiTickCount;
extern ULONG KiClockHz;

/* IRQL without checks, for the kernel's own use inside interrupt paths. */
FORCEINLINE KIRQL KiRaiseIrqlRaw(KIRQL NewIrql)
{
    KIRQL old = (KIRQL)__readcr8();
    __writecr8(NewIrql);
    return old;
}
FORCEINLINE VOID KiLowerIrqlRaw(KIRQL NewIrql) { __writecr8(NewIrql); }

/* The IRP trace (io/trace.c) records each ISR and DPC as a span: the begin hook returns the
 * trace sequence before the routine runs, the end hook logs it after. NULL until Io starts. */
extern ULONG (*KiTraceBeginHook)(void);
extern VOID (*KiTraceEndHook)(UCHAR Kind, PVOID Routine, ULONG Begin);

/* Raw spin lock word operations (no IRQL change, no checks) used by ISR dispatch. */
VOID KiAcquireSpinLockRaw(PKSPIN_LOCK Lock);
VOID KiReleaseSpinLockRaw(PKSPIN_LOCK Lock);
/* The same with interrupts off, for state touched at any IRQL up to HIGH_LEVEL on any
 * processor (Verifier's tables, the I/O manager's frames): returns the flags to give back. */
FORCEINLINE ULONG64 KiAcquireSpinLockInterruptsOff(PKSPIN_LOCK Lock)
{
    ULONG64 flags = __readeflags();
    _disable();
    KiAcquireSpinLockRaw(Lock);
    return flags;
}
FORCEINLINE VOID KiReleaseSpinLockInterruptsOff(PKSPIN_LOCK Lock, ULONG64 Flags)
{
    KiReleaseSpinLockRaw(Lock);
    if (Flags & 0x200)
        _enable();
}

/* Bug-check support. */
VOID KiPrintBacktrace(ULONG64 Rbp, ULONG64 Rip);
PCSTR KiLookupSymbol(ULONG64 Address, PULONG64 Offset);
PCSTR KiBugCheckName(ULONG Code);
DECLSPEC_NORETURN VOID KiBugCheckWithFrame(PKTRAP_FRAME Frame, ULONG Code, ULONG_PTR P1, ULONG_PTR P2,
                                          ULONG_PTR P3, ULONG_PTR P4);
/* The debugger's view of a stop (kdstop.c). */
extern ULONG64 KiBugCheckData[5];
VOID KdRecordBugCheck(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4, KIRQL Irql,
                      PKTRAP_FRAME Frame);
VOID KdBugCheckBreak(ULONG Code, PKTRAP_FRAME Frame);
BOOLEAN KdBreakOnBugCheck(void);
typedef VOID (*PKI_BUGCHECK_CALLBACK)(void);
VOID KiRegisterBugCheckReport(PKI_BUGCHECK_CALLBACK Callback); /* extra sections of the stop report */

/* Console lock: output from any IRQL, interrupts held off while a line is written. */
ULONG64 KiAcquireConsole(void);
VOID KiReleaseConsole(ULONG64 Flags);

/* Initialisation order, called by KiSystemStartup. */
VOID KiMarkProcessorActive(PKPRCB Prcb);
VOID KiStartApplicationProcessors(void);
extern KSPIN_LOCK KiQueuedLocks[KI_NUMBER_QUEUED_LOCKS];
VOID KiAcquireQueuedLock(ULONG Number); /* IRQL already raised; nests on one processor */
VOID KiReleaseQueuedLock(ULONG Number);
BOOLEAN KiQueuedLockHeld(ULONG Number);

/* Interprocessor requests (ipi.c): bits in the target's IpiRequests, then the IPI vector. */
#define KI_IPI_DPC 0x1        /* drain your DPC queue */
#define KI_IPI_RESCHEDULE 0x2 /* a thread became ready for you */
#define KI_IPI_GENERIC 0x4    /* take part in KeIpiGenericCall */
#define KI_IPI_TLB 0x8        /* flush the addresses in the shootdown packet */
#define KI_IPI_APC 0x10       /* the running thread has a kernel APC */
VOID KiIpiSend(KAFFINITY Targets, LONG Requests);
VOID KiIpiPoll(void);         /* serve this processor's requests while spinning */
VOID KiIpiInterrupt(PKTRAP_FRAME TrapFrame);
VOID KiFlushSingleTb(PVOID Va); /* tbflush.c: this processor and every other one */
VOID KiFlushTlbTarget(void);
extern volatile ULONG64 KiTbShootdowns;
/* The bug-check freeze (freeze.c): every other processor stops where it is, by NMI. */
extern volatile BOOLEAN KiFreezeInProgress;
DECLSPEC_NORETURN VOID KiFreezeExecution(PKTRAP_FRAME TrapFrame);
VOID KiFreezeOtherProcessors(void);
VOID KiReportFrozenProcessors(void);
VOID KiBreakConsoleLock(void);
VOID KiInitializeClock(void);
VOID KiInitializeSystemTime(void);
VOID MmInitSystem(void);
VOID KiRunBootDrivers(void);

extern char __kernel_start[], __kernel_end[], __text_start[], __text_end[];
extern char __pagetext_start[], __pagetext_end[], __inittext_start[], __inittext_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_start[], __bss_end[];
VOID KiSetBugCheckCulprit(PCSTR DriverName, PVOID Routine);

/* Memory-manager services the kernel and the I/O manager use (kernel/mm). */
PVOID MmCreateKernelStack(ULONG Pages);              /* returns the stack top; IRQL <= APC_LEVEL */
ULONG MmFreeDriverInitialization(PVOID DriverEntry);    /* pages of INIT code discarded; PASSIVE_LEVEL */
VOID MmLoadDriverInitialization(PVOID DriverEntry);     /* INIT code mapped again for a new load */
VOID MmDeleteKernelStack(PVOID StackTop, ULONG Pages); /* IRQL <= APC_LEVEL */
BOOLEAN MmIsAddressPageable(PVOID Address);           /* pageable code or paged pool; any IRQL */

/* Threads and the dispatcher (kernel/ke/kthread.h). */
#include "kthread.h"

/* The kernel's own critical regions, inline as NT's KeEnterCriticalRegionThread: no Verifier
 * checks (the caller is the kernel). Leaving the last one delivers what waited (ke/apc.c). */
VOID KiCheckForKernelApcDelivery(PKTHREAD Thread);
FORCEINLINE PKTHREAD KiEnterCriticalRegionThread(void)
{
    PKTHREAD t = KeGetCurrentThread();
    t->KernelApcDisable++;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    return t;
}
FORCEINLINE VOID KiLeaveCriticalRegionThread(PKTHREAD Thread)
{
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (--Thread->KernelApcDisable == 0 &&
        __atomic_load_n(&Thread->ApcListHead.Flink, __ATOMIC_SEQ_CST) != &Thread->ApcListHead)
        KiCheckForKernelApcDelivery(Thread);
}

/* Exceptions: a __try frame of the faulting code takes it (rtl/seh.c); the debugger stop. */
BOOLEAN KiDispatchSehException(PKTRAP_FRAME TrapFrame, NTSTATUS Code);
VOID KdBreakPointTrap(PKTRAP_FRAME TrapFrame);

/* DDI compliance checking: VF_DDI_CHECK(Routine) on entry of every routine in its table. */
#include "../vf/vf.h"
