/* vf/vf.h - Driver Verifier's DDI compliance checking: one table of the documented IRQL range of
 * every exported routine, and the single check the routines call on entry. Not for drivers. */
#pragma once
#include "../ke/ki.h"

/* WDM DDI compliance rules, each with the 0xC4 P1 its page on learn.microsoft.com gives. */
#define VF_DDI_RULES(X)                                                                       \
    X(IrqlDispatch, 0x00020003, "routine called at IRQL other than DISPATCH_LEVEL")          \
    X(IrqlExAllocatePool, 0x00020004, "ExAllocatePool* called above DISPATCH_LEVEL")         \
    X(IrqlExApcLte1, 0x00020005, "ExAcquireFastMutex/ExTryToAcquireFastMutex called above APC_LEVEL") \
    X(IrqlExApcLte2, 0x00020006, "executive routine (ProbeForRead/Write, quota pool) called above APC_LEVEL") \
    X(IrqlExApcLte3, 0x00020007, "executive resource routine called above APC_LEVEL")       \
    X(IrqlIoApcLte, 0x00020009, "IoDeleteDevice-class I/O routine called above APC_LEVEL")  \
    X(IrqlIoPassive1, 0x0002000A, "IoCreateDevice/IoAttachDevice called above PASSIVE_LEVEL (IoBuildDeviceIoControlRequest above APC_LEVEL)") \
    X(IrqlIoPassive2, 0x0002000B, "IoConnectInterrupt/IoCheckShareAccess called above PASSIVE_LEVEL") \
    X(IrqlIoPassive3, 0x0002000C, "IoDetachDevice/IoRegisterDeviceInterface called above PASSIVE_LEVEL") \
    X(IrqlIoPassive4, 0x0002000D, "symbolic-link, named-event or IoDisconnectInterrupt call above PASSIVE_LEVEL") \
    X(IrqlIoPassive5, 0x0002000E, "IoGetDeviceObjectPointer-class I/O routine called above PASSIVE_LEVEL") \
    X(IrqlKeApcLte2, 0x00020010, "critical/guarded region routine called above APC_LEVEL") \
    X(IrqlKeDispatchLte, 0x00020011, "kernel routine called above DISPATCH_LEVEL")           \
    X(IrqlKeReleaseSpinLock, 0x00020015, "KeReleaseSpinLock called at IRQL other than DISPATCH_LEVEL") \
    X(IrqlKeSetEvent, 0x00020016, "KeSetEvent called above DISPATCH_LEVEL")                 \
    X(IrqlObPassive, 0x0002001B, "ObReferenceObjectByHandle called above PASSIVE_LEVEL")    \
    X(IrqlPsPassive, 0x0002001C, "process/thread routine called above PASSIVE_LEVEL")       \
    X(IrqlZwPassive, 0x0002001F, "ZwClose called above PASSIVE_LEVEL")

typedef enum _VF_DDI_RULE_ID {
    VfRuleNone = 0,
#define VF_RULE_ENUM(n, code, text) VfRule##n,
    VF_DDI_RULES(VF_RULE_ENUM)
#undef VF_RULE_ENUM
    VfRuleCount
} VF_DDI_RULE_ID;

/* What the classic Verifier (verifier=irql / io) already does for a routine outside its range:
 * VF_CLASSIC_SELF - the routine raises its own 0xC4 subcode (0x32, 0x40, 0x42, 0x33, 0x80...),
 * so with IRQL checking on the DDI check stands aside and that code wins;
 * VF_CLASSIC_C9_24A - "a file I/O function called with IRQL not equal to PASSIVE_LEVEL",
 * raised by the check itself under I/O verification. */
#define VF_CLASSIC_NONE 0
#define VF_CLASSIC_SELF 1
#define VF_CLASSIC_C9_24A 2

/* Every exported routine: name, lowest and highest IRQL its documentation allows, the DDI rule
 * that covers it (None: no Windows rule; then IRQLab's own 0xC4/0x1110), what the classic
 * verifier does. Routines callable at any IRQL (RtlXxx, KeGetCurrentIrql...) are not listed.
 * The header comment of each routine names the same range. */
#define VF_DDI_ROUTINES(X)                                                                    \
    /* Ke: spin locks, events, timers, mutexes, regions, device queues */                     \
    X(KeAcquireSpinLock, 0, DISPATCH_LEVEL, IrqlKeDispatchLte, VF_CLASSIC_SELF)               \
    X(KeAcquireSpinLockRaiseToDpc, 0, DISPATCH_LEVEL, IrqlKeDispatchLte, VF_CLASSIC_SELF)     \
    X(KeReleaseSpinLock, DISPATCH_LEVEL, DISPATCH_LEVEL, IrqlKeReleaseSpinLock, VF_CLASSIC_SELF) \
    X(KeAcquireSpinLockAtDpcLevel, DISPATCH_LEVEL, HIGH_LEVEL, IrqlDispatch, VF_CLASSIC_SELF) \
    X(KeReleaseSpinLockFromDpcLevel, DISPATCH_LEVEL, HIGH_LEVEL, IrqlDispatch, VF_CLASSIC_SELF) \
    X(KeRaiseIrqlToDpcLevel, 0, DISPATCH_LEVEL, IrqlKeDispatchLte, VF_CLASSIC_NONE)           \
    X(KeSetEvent, 0, DISPATCH_LEVEL, IrqlKeSetEvent, VF_CLASSIC_SELF)                         \
    X(KeClearEvent, 0, DISPATCH_LEVEL, IrqlKeDispatchLte, VF_CLASSIC_NONE)                    \
    X(KeResetEvent, 0, DISPATCH_LEVEL, IrqlKeDispatchLte, VF_CLASSIC_NONE)                    \
    X(KeReadStateEvent, 0, DISPATCH_LEVEL, IrqlKeDispatchLte, VF_CLASSIC_NONE)                \
    X(KeInitializeTimer, 0, DISPATCH_LEVEL, IrqlKeDispatchLte, VF_CLASSIC_NONE)               \
    X(KeInitializeTimerEx, 0, DISPATCH_LEVEL, IrqlKeDispatchLte, VF_CLASSIC_NONE)             \
    X(KeSetTimer, 0, DISPATCH_LEVEL, IrqlKeDispatchLte, VF_CLASSIC_NONE)                      \
    X(KeSetTimerEx, 0, DISPATCH_LEVEL, IrqlKeDispatchLte, VF_CLASSIC_NONE)                    \
    X(KeCancelTimer, 0, DISPATCH_LEVEL, IrqlKeDispatchLte, VF_CLASSIC_NONE)                   \
    X(KeReadStateTimer, 0, DISPATCH_LEVEL, IrqlKeDispatchLte, VF_CLASSIC_NONE)                \
    X(KeReleaseMutex, 0, DISPATCH_LEVEL, IrqlKeDispatchLte, VF_CLASSIC_NONE)                  \
    X(KeReleaseSemaphore, 0, DISPATCH_LEVEL, None, VF_CLASSIC_NONE)                     \
    X(KeInsertQueueDpc, 0, HIGH_LEVEL, None, VF_CLASSIC_NONE)                           \
    X(KeEnterCriticalRegion, 0, APC_LEVEL, IrqlKeApcLte2, VF_CLASSIC_SELF)                    \
    X(KeLeaveCriticalRegion, 0, APC_LEVEL, IrqlKeApcLte2, VF_CLASSIC_NONE)                    \
    X(KeEnterGuardedRegion, 0, APC_LEVEL, IrqlKeApcLte2, VF_CLASSIC_NONE)                     \
    X(KeLeaveGuardedRegion, 0, APC_LEVEL, IrqlKeApcLte2, VF_CLASSIC_NONE)                     \
    X(KeInitializeDeviceQueue, 0, DISPATCH_LEVEL, IrqlKeDispatchLte, VF_CLASSIC_NONE)         \
    X(KeRemoveEntryDeviceQueue, 0, DISPATCH_LEVEL, IrqlKeDispatchLte, VF_CLASSIC_NONE)        \
    X(KeInsertDeviceQueue, DISPATCH_LEVEL, DISPATCH_LEVEL, IrqlDispatch, VF_CLASSIC_NONE)     \
    X(KeInsertByKeyDeviceQueue, DISPATCH_LEVEL, DISPATCH_LEVEL, IrqlDispatch, VF_CLASSIC_NONE) \
    X(KeRemoveDeviceQueue, DISPATCH_LEVEL, DISPATCH_LEVEL, IrqlDispatch, VF_CLASSIC_NONE)     \
    X(PsCreateSystemThread, 0, PASSIVE_LEVEL, IrqlPsPassive, VF_CLASSIC_NONE)                 \
    /* Ex */                                                                                  \
    X(ExAcquireFastMutex, 0, APC_LEVEL, IrqlExApcLte1, VF_CLASSIC_SELF)                       \
    X(ExTryToAcquireFastMutex, 0, APC_LEVEL, IrqlExApcLte1, VF_CLASSIC_NONE)                  \
    X(ExAllocatePoolWithQuotaTag, 0, APC_LEVEL, IrqlExApcLte2, VF_CLASSIC_NONE)               \
    X(ProbeForRead, 0, APC_LEVEL, IrqlExApcLte2, VF_CLASSIC_NONE)                             \
    X(ProbeForWrite, 0, APC_LEVEL, IrqlExApcLte2, VF_CLASSIC_NONE)                            \
    X(ZwCreateEvent, 0, PASSIVE_LEVEL, None, VF_CLASSIC_NONE)                           \
    X(ZwSetEvent, 0, PASSIVE_LEVEL, None, VF_CLASSIC_NONE)                              \
    X(ZwClearEvent, 0, PASSIVE_LEVEL, None, VF_CLASSIC_NONE)                            \
    X(ZwCreateTimer, 0, PASSIVE_LEVEL, None, VF_CLASSIC_NONE)                           \
    X(ZwSetTimer, 0, PASSIVE_LEVEL, None, VF_CLASSIC_NONE)                              \
    X(ZwCancelTimer, 0, PASSIVE_LEVEL, None, VF_CLASSIC_NONE)                           \
    /* Io */                                                                                  \
    X(IoCreateDevice, 0, PASSIVE_LEVEL, IrqlIoPassive1, VF_CLASSIC_NONE)                      \
    X(IoCreateDeviceSecure, 0, PASSIVE_LEVEL, IrqlIoPassive1, VF_CLASSIC_NONE)                \
    X(IoBuildDeviceIoControlRequest, 0, APC_LEVEL, IrqlIoPassive1, VF_CLASSIC_NONE)           \
    X(IoConnectInterrupt, 0, PASSIVE_LEVEL, IrqlIoPassive2, VF_CLASSIC_NONE)                  \
    X(IoDetachDevice, 0, PASSIVE_LEVEL, IrqlIoPassive3, VF_CLASSIC_NONE)                      \
    X(IoCreateSymbolicLink, 0, PASSIVE_LEVEL, IrqlIoPassive4, VF_CLASSIC_NONE)                \
    X(IoCreateUnprotectedSymbolicLink, 0, PASSIVE_LEVEL, IrqlIoPassive4, VF_CLASSIC_NONE)     \
    X(IoDeleteSymbolicLink, 0, PASSIVE_LEVEL, IrqlIoPassive4, VF_CLASSIC_NONE)                \
    X(IoCreateNotificationEvent, 0, PASSIVE_LEVEL, IrqlIoPassive4, VF_CLASSIC_NONE)           \
    X(IoCreateSynchronizationEvent, 0, PASSIVE_LEVEL, IrqlIoPassive4, VF_CLASSIC_NONE)        \
    X(IoDisconnectInterrupt, 0, PASSIVE_LEVEL, IrqlIoPassive4, VF_CLASSIC_NONE)               \
    X(IoGetDeviceObjectPointer, 0, PASSIVE_LEVEL, IrqlIoPassive5, VF_CLASSIC_NONE)            \
    X(IoDeleteDevice, 0, APC_LEVEL, IrqlIoApcLte, VF_CLASSIC_NONE)                            \
    X(IoStartNextPacket, DISPATCH_LEVEL, DISPATCH_LEVEL, IrqlDispatch, VF_CLASSIC_NONE)       \
    X(IoStartPacket, 0, DISPATCH_LEVEL, None, VF_CLASSIC_NONE)                          \
    X(IoCreateDriver, 0, PASSIVE_LEVEL, None, VF_CLASSIC_NONE)                          \
    X(IoUnloadDriver, 0, PASSIVE_LEVEL, None, VF_CLASSIC_NONE)                          \
    X(IoAcquireRemoveLockEx, 0, DISPATCH_LEVEL, None, VF_CLASSIC_NONE)                  \
    X(IoReleaseRemoveLockEx, 0, DISPATCH_LEVEL, None, VF_CLASSIC_NONE)                  \
    X(IoReleaseRemoveLockAndWaitEx, 0, PASSIVE_LEVEL, None, VF_CLASSIC_NONE)            \
    X(IoCsqInsertIrpEx, 0, DISPATCH_LEVEL, None, VF_CLASSIC_NONE)                       \
    X(IoCsqRemoveIrp, 0, DISPATCH_LEVEL, None, VF_CLASSIC_NONE)                         \
    X(IoCsqRemoveNextIrp, 0, DISPATCH_LEVEL, None, VF_CLASSIC_NONE)                     \
    X(ZwCreateFile, 0, PASSIVE_LEVEL, None, VF_CLASSIC_C9_24A)                          \
    X(ZwReadFile, 0, PASSIVE_LEVEL, None, VF_CLASSIC_C9_24A)                            \
    X(ZwWriteFile, 0, PASSIVE_LEVEL, None, VF_CLASSIC_C9_24A)                           \
    X(ZwDeviceIoControlFile, 0, PASSIVE_LEVEL, None, VF_CLASSIC_C9_24A)                 \
    /* Ob */                                                                                  \
    X(ObReferenceObjectByHandle, 0, PASSIVE_LEVEL, IrqlObPassive, VF_CLASSIC_NONE)            \
    X(ObQueryNameString, 0, APC_LEVEL, None, VF_CLASSIC_NONE)                           \
    X(ZwClose, 0, PASSIVE_LEVEL, IrqlZwPassive, VF_CLASSIC_NONE)

typedef enum _VF_DDI_ID {
#define VF_ID_ENUM(n, lo, hi, rule, classic) VfDdi_##n,
    VF_DDI_ROUTINES(VF_ID_ENUM)
#undef VF_ID_ENUM
    VfDdiCount
} VF_DDI_ID;

typedef struct _VF_DDI_ROUTINE {
    PCSTR Name;
    KIRQL MinIrql, MaxIrql;
    UCHAR Rule;    /* VF_DDI_RULE_ID */
    UCHAR Classic; /* VF_CLASSIC_* */
} VF_DDI_ROUTINE;
typedef struct _VF_DDI_RULE {
    PCSTR Name;
    ULONG Code;
    PCSTR Condition; /* P2 of the stop */
} VF_DDI_RULE;

/* The rule state P3 points at: which routine, from where, at what IRQL. */
typedef struct _VF_DDI_STATE {
    PCSTR Routine;
    PVOID Caller;
    KIRQL Irql;
} VF_DDI_STATE;

extern const VF_DDI_ROUTINE VfDdiRoutines[VfDdiCount];
extern const VF_DDI_RULE VfDdiRules[VfRuleCount];
extern VF_DDI_STATE VfDdiViolation;
const VF_DDI_RULE *VfLookupDdiRule(ULONG Code); /* NULL when no rule has that code */

/* IRQLab's own code for a routine with no Windows rule called outside its documented IRQL
 * (verifier=irql or ddi): 0xC4, P2 the IRQL, P3 the routine's name (a string), P4 0. */
#define VF_ROUTINE_OUTSIDE_IRQL 0x1110

VOID VfDdiViolationStop(VF_DDI_ID Id, KIRQL Irql, PVOID Caller);

/* The one check every listed routine makes on entry. While none of its switches is on it is
 * one 5-byte nop, a patched site of key DDI (ke/patch.c); while one is on, a CR8 read and two
 * compares, the flags tested again behind them. */
_Static_assert(KI_VERIFIED_DDI_FLAGS == (VERIFIER_DDI_CHECKING | VERIFIER_IRQL_CHECKING | VERIFIER_IO_CHECKING),
               "the DDI patch key's switches");
FORCEINLINE VOID VfDdiCheckAt(VF_DDI_ID Id, PVOID Caller)
{
    if (!__builtin_expect(KiPatchBranchTaken(KI_PATCH_KEY_DDI), 0))
        return;
    KIRQL irql = (KIRQL)__readcr8();
    if ((irql < VfDdiRoutines[Id].MinIrql || irql > VfDdiRoutines[Id].MaxIrql) &&
        (KiVerifierFlags & (VERIFIER_DDI_CHECKING | VERIFIER_IRQL_CHECKING | VERIFIER_IO_CHECKING)))
        VfDdiViolationStop(Id, irql, Caller);
}
#define VF_DDI_CHECK(Routine) VfDdiCheckAt(VfDdi_##Routine, __builtin_return_address(0))
