/* ke/ki.h - kernel-internal state shared by the Ke files: the processor block, trap frame,
 * boot parameters, verifier switches and the private Ki routines. Not for drivers. */
#pragma once
#include <ntddk.h>
#include <arch/x86.h>

typedef struct _KTRAP_FRAME {
    ULONG64 R15, R14, R13, R12, R11, R10, R9, R8;
    ULONG64 Rbp, Rdi, Rsi, Rdx, Rcx, Rbx, Rax;
    ULONG64 Vector, ErrorCode;
    ULONG64 Rip, SegCs, EFlags, Rsp, SegSs;
} KTRAP_FRAME, *PKTRAP_FRAME;

#define KI_MAX_HELD_QUEUED_LOCKS 16

/* One per processor; there is one processor for now, but nothing here assumes it. */
typedef struct _KPRCB {
    ULONG Number;
    LIST_ENTRY DpcListHead;
    volatile ULONG DpcQueueDepth;
    volatile ULONG DpcCount;
    volatile BOOLEAN DpcRoutineActive;
    ULONG DpcTimeCount;         /* clock ticks the running DPC has taken (the DPC watchdog) */
    PKSPIN_LOCK HeldQueuedLocks[KI_MAX_HELD_QUEUED_LOCKS];
    ULONG HeldQueuedLockCount;
    ULONG InterruptNesting;
    struct _KTHREAD *CurrentThread;
} KPRCB, *PKPRCB;

extern KPRCB KiProcessorBlock0;
FORCEINLINE PKPRCB KeGetCurrentPrcb(void) { return &KiProcessorBlock0; }

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
VOID KiDpcWatchdogTick(void);                /* ke/dpc.c: from the clock interrupt */

/* Driver Verifier switches; the test runner boots with them on. */
#define VERIFIER_IRQL_CHECKING 0x01  /* bug-check rule violations with 0xC4 subcodes */
#define VERIFIER_IO_CHECKING 0x02
#define VERIFIER_FORCE_IRQL_TRIM 0x04 /* trim pageable memory on raise to DISPATCH */
#define VERIFIER_SPECIAL_POOL 0x08
#define VERIFIER_POOL_TRACKING 0x10
extern ULONG KiVerifierFlags;
FORCEINLINE BOOLEAN KiVerifierOn(ULONG Flag) { return (KiVerifierFlags & Flag) != 0; }

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
VOID KiDeliverApcInterrupt(PKTRAP_FRAME TrapFrame);
extern VOID (*KiApcInterruptHook)(PKTRAP_FRAME TrapFrame);
extern VOID (*KiDispatchInterruptHook)(void); /* after DPCs drain: the scheduler's turn */
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

/* Raw spin lock word operations (no IRQL change, no checks) used by ISR dispatch. */
VOID KiAcquireSpinLockRaw(PKSPIN_LOCK Lock);
VOID KiReleaseSpinLockRaw(PKSPIN_LOCK Lock);

/* Bug-check support. */
VOID KiPrintBacktrace(ULONG64 Rbp, ULONG64 Rip);
PCSTR KiLookupSymbol(ULONG64 Address, PULONG64 Offset);
PCSTR KiBugCheckName(ULONG Code);
DECLSPEC_NORETURN VOID KiBugCheckWithFrame(PKTRAP_FRAME Frame, ULONG Code, ULONG_PTR P1, ULONG_PTR P2,
                                          ULONG_PTR P3, ULONG_PTR P4);
typedef VOID (*PKI_BUGCHECK_CALLBACK)(void);
VOID KiRegisterBugCheckReport(PKI_BUGCHECK_CALLBACK Callback); /* extra sections of the stop report */

/* Console lock: output from any IRQL, interrupts held off while a line is written. */
ULONG64 KiAcquireConsole(void);
VOID KiReleaseConsole(ULONG64 Flags);

/* Initialisation order, called by KiSystemStartup. */
VOID KiInitializeDpcs(void);
VOID KiInitializeClock(void);
VOID KiInitializeSystemTime(void);
VOID MmInitSystem(void);
VOID KiRunBootDrivers(void);

extern char __kernel_start[], __kernel_end[], __text_start[], __text_end[];
extern char __pagetext_start[], __pagetext_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_start[], __bss_end[];
VOID KiSetBugCheckCulprit(PCSTR DriverName, PVOID Routine);

/* Memory-manager services the kernel and the I/O manager use (kernel/mm). */
PVOID MmCreateKernelStack(ULONG Pages);              /* returns the stack top; IRQL <= APC_LEVEL */
VOID MmDeleteKernelStack(PVOID StackTop, ULONG Pages); /* IRQL <= APC_LEVEL */
BOOLEAN MmIsAddressPageable(PVOID Address);           /* pageable code or paged pool; any IRQL */

/* Threads and the dispatcher (kernel/ke/kthread.h). */
#include "kthread.h"
