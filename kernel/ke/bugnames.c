/* ke/bugnames.c - the symbolic names Windows prints for the bug-check codes this kernel
 * raises, so a stop report reads like the real one. */
#include "ki.h"

static const struct { ULONG Code; PCSTR Name; } KipNames[] = {
    { 0x01, "APC_INDEX_MISMATCH" },
    { 0x09, "IRQL_NOT_GREATER_OR_EQUAL" },
    { 0x0A, "IRQL_NOT_LESS_OR_EQUAL" },
    { 0x0C, "MAXIMUM_WAIT_OBJECTS_EXCEEDED" },
    { 0x0F, "SPIN_LOCK_ALREADY_OWNED" },
    { 0x10, "SPIN_LOCK_NOT_OWNED" },
    { 0x19, "BAD_POOL_HEADER" },
    { 0x1E, "KMODE_EXCEPTION_NOT_HANDLED" },
    { 0x20, "KERNEL_APC_PENDING_DURING_EXIT" },
    { 0x32, "PHASE1_INITIALIZATION_FAILED" },
    { 0x35, "NO_MORE_IRP_STACK_LOCATIONS" },
    { 0x44, "MULTIPLE_IRP_COMPLETE_REQUESTS" },
    { 0x48, "CANCEL_STATE_IN_COMPLETED_IRP" },
    { 0x4A, "IRQL_GT_ZERO_AT_SYSTEM_SERVICE" },
    { 0x50, "PAGE_FAULT_IN_NONPAGED_AREA" },
    { 0x7F, "UNEXPECTED_KERNEL_MODE_TRAP" },
    { 0x80, "NMI_HARDWARE_FAILURE" },
    { 0xC1, "SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION" },
    { 0xC2, "BAD_POOL_CALLER" },
    { 0xC4, "DRIVER_VERIFIER_DETECTED_VIOLATION" },
    { 0xC9, "DRIVER_VERIFIER_IOMANAGER_VIOLATION" },
    { 0xCE, "DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS" },
    { 0xD1, "DRIVER_IRQL_NOT_LESS_OR_EQUAL" },
    { 0xD5, "DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL" },
    { 0xD6, "DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION" },
    { 0xE1, "WORKER_THREAD_RETURNED_AT_BAD_IRQL" },
    { 0xE2, "MANUALLY_INITIATED_CRASH" },
    { 0x133, "DPC_WATCHDOG_VIOLATION" },
    { 0x139, "KERNEL_SECURITY_CHECK_FAILURE" },
};

/* IRQL: any. */
PCSTR KiBugCheckName(ULONG Code)
{
    for (ULONG i = 0; i < ARRAYSIZE(KipNames); i++)
        if (KipNames[i].Code == Code)
            return KipNames[i].Name;
    return "UNKNOWN_BUGCHECK_CODE";
}
