/* wdm/kemp.h - the multiprocessor part of the kernel interface: processor numbers and
 * counts, thread affinity, IPIs and targeted DPCs. Names and signatures follow wdm.h. */
#pragma once
#include <ntdef.h>

typedef struct _PROCESSOR_NUMBER {
    USHORT Group;
    UCHAR Number;
    UCHAR Reserved;
} PROCESSOR_NUMBER, *PPROCESSOR_NUMBER;
typedef KAFFINITY *PKAFFINITY;
#define ALL_PROCESSOR_GROUPS 0xFFFF
#define MAXIMUM_PROCESSORS 64

/* One group: processor numbers are 0..count-1. IRQL: any. */
extern volatile CCHAR KeNumberProcessors;
ULONG KeGetCurrentProcessorNumberEx(PPROCESSOR_NUMBER ProcNumber);
ULONG KeGetCurrentProcessorNumber(void);
ULONG KeQueryActiveProcessorCountEx(USHORT GroupNumber);
ULONG KeQueryActiveProcessorCount(PKAFFINITY ActiveProcessors);
KAFFINITY KeQueryActiveProcessors(void);
ULONG KeGetProcessorIndexFromNumber(PPROCESSOR_NUMBER ProcNumber);
NTSTATUS KeGetProcessorNumberFromIndex(ULONG ProcIndex, PPROCESSOR_NUMBER ProcNumber);

/* IPIs: the broadcast function runs on every processor at once, at IPI_LEVEL. IRQL < IPI_LEVEL. */
typedef ULONG_PTR KIPI_BROADCAST_WORKER(ULONG_PTR Argument);
typedef KIPI_BROADCAST_WORKER *PKIPI_BROADCAST_WORKER;
ULONG_PTR KeIpiGenericCall(PKIPI_BROADCAST_WORKER BroadcastFunction, ULONG_PTR Context);

/* Targeted DPCs: the DPC runs on that processor's queue. IRQL: any. */
struct _KDPC;
VOID KeSetTargetProcessorDpc(struct _KDPC *Dpc, CCHAR Number);
NTSTATUS KeSetTargetProcessorDpcEx(struct _KDPC *Dpc, PPROCESSOR_NUMBER ProcNumber);

/* Thread affinity: the processors the current thread may run on. Below DISPATCH_LEVEL the
 * caller is on one of them when the call returns; at DISPATCH_LEVEL the move waits for the
 * caller to lower IRQL. IRQL <= DISPATCH_LEVEL. */
KAFFINITY KeSetSystemAffinityThreadEx(KAFFINITY Affinity);
VOID KeRevertToUserAffinityThreadEx(KAFFINITY Affinity);
VOID KeSetSystemAffinityThread(KAFFINITY Affinity);
VOID KeRevertToUserAffinityThread(VOID);
struct _KTHREAD;
UCHAR KeSetIdealProcessorThread(struct _KTHREAD *Thread, UCHAR Processor);
