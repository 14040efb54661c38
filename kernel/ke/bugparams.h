/* ke/bugparams.h - the one table of stop codes and parameter orders the kernel raises, each
 * row as Microsoft's bug-check page gives it; every raise site names its row here. */
#pragma once
#include <wdm/ke.h>

/* Each macro expands to the five KeBugCheckEx arguments (code, P1..P4), in the page's order.
 * docs/bugcheck-parameters.md lists the same rows with the page they come from.
 *
 * 0xC4 DRIVER_VERIFIER_DETECTED_VIOLATION (P1 = subcode) */
#define BUGPARAMS_C4_ZERO_BYTE_POOL(Irql, PoolType) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, 0x00, (ULONG_PTR)(Irql), (ULONG_PTR)(PoolType), 0
#define BUGPARAMS_C4_RAISE_TO_LOWER(Irql, NewIrql) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, 0x30, (ULONG_PTR)(Irql), (ULONG_PTR)(NewIrql), 0
#define BUGPARAMS_C4_LOWER_TO_HIGHER(Irql, NewIrql) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, 0x31, (ULONG_PTR)(Irql), (ULONG_PTR)(NewIrql), 0
/* KeReleaseSpinLock not at DISPATCH_LEVEL: current IRQL, spin lock, 0. */
#define BUGPARAMS_C4_RELEASE_SPINLOCK_NOT_DISPATCH(Irql, Lock) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, 0x32, (ULONG_PTR)(Irql), (ULONG_PTR)(Lock), 0
#define BUGPARAMS_C4_FAST_MUTEX_ACQUIRE_ABOVE_APC(Irql, Mutex) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, 0x33, (ULONG_PTR)(Irql), (ULONG_PTR)(Mutex), 0
#define BUGPARAMS_C4_FAST_MUTEX_RELEASE_NOT_APC(Irql, Mutex) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, 0x34, (ULONG_PTR)(Irql), (ULONG_PTR)(Mutex), 0
#define BUGPARAMS_C4_LEAVE_CRITICAL_REGION_NOT_ENTERED() DRIVER_VERIFIER_DETECTED_VIOLATION, 0x3E, 0, 0, 0
/* KeAcquireSpinLockAtDpcLevel / KeReleaseSpinLockFromDpcLevel below DISPATCH_LEVEL and
 * KeAcquireSpinLock above it: current IRQL, spin lock, 0. */
#define BUGPARAMS_C4_ACQUIRE_AT_DPC_BELOW_DISPATCH(Irql, Lock) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, 0x40, (ULONG_PTR)(Irql), (ULONG_PTR)(Lock), 0
#define BUGPARAMS_C4_RELEASE_FROM_DPC_BELOW_DISPATCH(Irql, Lock) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, 0x41, (ULONG_PTR)(Irql), (ULONG_PTR)(Lock), 0
#define BUGPARAMS_C4_ACQUIRE_SPINLOCK_ABOVE_DISPATCH(Irql, Lock) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, 0x42, (ULONG_PTR)(Irql), (ULONG_PTR)(Lock), 0
#define BUGPARAMS_C4_POOL_LEAK_AT_UNLOAD(DriverName, Reserved, Outstanding) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, 0x62, (ULONG_PTR)(DriverName), (ULONG_PTR)(Reserved), (ULONG_PTR)(Outstanding)
#define BUGPARAMS_C4_SET_EVENT_ABOVE_DISPATCH(Irql, Event) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, 0x80, (ULONG_PTR)(Irql), (ULONG_PTR)(Event), 0
/* Remove locks (I/O verification): lock, releasing tag, reserved / lock, tag, acquiring tag. */
#define BUGPARAMS_C4_REMOVE_LOCK_RELEASE_TAG_MISMATCH(Lock, Tag) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, 0xD5, (ULONG_PTR)(Lock), (ULONG_PTR)(Tag), 0
#define BUGPARAMS_C4_REMOVE_LOCK_WAIT_TAG_MISMATCH(Lock, Tag, AcquireTag) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, 0xD6, (ULONG_PTR)(Lock), (ULONG_PTR)(Tag), (ULONG_PTR)(AcquireTag)
/* KeEnterCriticalRegion (0x11A) / KeLeaveCriticalRegion (0x11B) above APC_LEVEL: IRQL. */
#define BUGPARAMS_C4_REGION_ABOVE_APC(Subcode, Irql) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, (Subcode), (ULONG_PTR)(Irql), 0, 0
/* Waits: address of the IRQL value, object, timeout pointer. */
#define BUGPARAMS_C4_WAIT(Subcode, IrqlAddress, Object, Timeout) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, (Subcode), (ULONG_PTR)(IrqlAddress), (ULONG_PTR)(Object), (ULONG_PTR)(Timeout)
/* DDI compliance checking: the rule's code, its condition text, its state, reserved. */
#define BUGPARAMS_C4_DDI_RULE(RuleCode, Condition, State) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, (RuleCode), (ULONG_PTR)(Condition), (ULONG_PTR)(State), 0

/* IRQLab's own (a range Windows does not use): a routine Windows has no DDI rule for called
 * outside its documented IRQL: IRQL, the routine's name (string), 0 (the stop report names the caller). */
#define BUGPARAMS_C4_IRQLAB_OUTSIDE_IRQL(Irql, RoutineName) \
    DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1110, (ULONG_PTR)(Irql), (ULONG_PTR)(RoutineName), 0

/* 0xC9 DRIVER_VERIFIER_IOMANAGER_VIOLATION, I/O error codes 0x2xx: P2 the address in the
 * driver where the error was detected, P3 the IRP (0 when none), P4 the device object. */
#define BUGPARAMS_C9_WDM_ERROR(ErrorCode, Caller, Irp, Device) \
    DRIVER_VERIFIER_IOMANAGER_VIOLATION, (ErrorCode), (ULONG_PTR)(Caller), (ULONG_PTR)(Irp), (ULONG_PTR)(Device)
#define IOV_DELETE_DELETED_DEVICE 0x240

/* 0x0A IRQL_NOT_LESS_OR_EQUAL: address referenced, IRQL, 0 read / 1 write / 8 execute,
 * address of the instruction. 0xD1 has the same four for a fault inside a driver. */
#define BUGPARAMS_0A(Address, Irql, Access, Instruction) \
    IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)(Address), (ULONG_PTR)(Irql), (ULONG_PTR)(Access), (ULONG_PTR)(Instruction)
#define BUGPARAMS_D1(Address, Irql, Access, Instruction) \
    DRIVER_IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)(Address), (ULONG_PTR)(Irql), (ULONG_PTR)(Access), (ULONG_PTR)(Instruction)
/* 0x44 MULTIPLE_IRP_COMPLETE_REQUESTS and 0x35 NO_MORE_IRP_STACK_LOCATIONS: the IRP. */
#define BUGPARAMS_44(Irp) MULTIPLE_IRP_COMPLETE_REQUESTS, (ULONG_PTR)(Irp), 0, 0, 0
#define BUGPARAMS_35(Irp) NO_MORE_IRP_STACK_LOCATIONS, (ULONG_PTR)(Irp), 0, 0, 0
/* 0xD5 / 0xD6 special pool: address referenced, 0 read / 1 write, instruction, reserved. */
#define BUGPARAMS_D5(Address, Write, Instruction) \
    DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL, (ULONG_PTR)(Address), (ULONG_PTR)(Write), (ULONG_PTR)(Instruction), 0
#define BUGPARAMS_D6(Address, Write, Instruction) \
    DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION, (ULONG_PTR)(Address), (ULONG_PTR)(Write), (ULONG_PTR)(Instruction), 0
/* 0x1E KMODE_EXCEPTION_NOT_HANDLED: exception code, address, first two exception
 * parameters (for an access violation: 0 read / 1 write, then the address). */
#define BUGPARAMS_1E(Status, Address, Param0, Param1) \
    KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)(ULONG)(Status), (ULONG_PTR)(Address), (ULONG_PTR)(Param0), (ULONG_PTR)(Param1)
