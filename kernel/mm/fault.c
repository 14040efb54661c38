/* mm/fault.c - the page-fault handler: pages pageable memory back in at IRQL <= APC_LEVEL,
 * and otherwise reports what Windows reports, by IRQL, protection and the faulting driver. */
#include "mi.h"

/* A fault at IRQL >= DISPATCH_LEVEL: the driver whose registered code range holds the
 * faulting instruction gets DRIVER_IRQL_NOT_LESS_OR_EQUAL, anything else the kernel's own. */
VOID MiBadIrqlFault(PKTRAP_FRAME TrapFrame, ULONG64 Address, KIRQL Irql, ULONG Access)
{
    UCHAR slot = MiDriverSlotOf(TrapFrame->Rip);
    if (slot) {
        KiSetBugCheckCulprit(MiDriverName(slot), (PVOID)TrapFrame->Rip);
        KiBugCheckWithFrame(TrapFrame, DRIVER_IRQL_NOT_LESS_OR_EQUAL, Address, Irql, Access, TrapFrame->Rip);
    }
    KiBugCheckWithFrame(TrapFrame, IRQL_NOT_LESS_OR_EQUAL, Address, Irql, Access, TrapFrame->Rip);
}

/* Called from the trap path with interrupts off, at the IRQL of the faulting code. */
BOOLEAN KiPageFault(PKTRAP_FRAME TrapFrame, ULONG64 Address)
{
    KIRQL irql = KeGetCurrentIrql();
    ULONG64 ec = TrapFrame->ErrorCode;
    ULONG access = (ec & 0x10) ? 8 : (ec & 2) ? 1 : 0; /* execute, write, read */
    ULONG64 pte = MiReadPte(Address);

    if (ec & 1) { /* present: a protection violation */
        if (access == 8) {
            /* Execution went to data, so the instruction pointer names no routine: report
             * from the call that jumped there (its return address is on top of the stack). */
            KTRAP_FRAME caller = *TrapFrame;
            ULONG64 ret = *(PULONG64)TrapFrame->Rsp;
            if (ret >= (ULONG64)__text_start && ret < (ULONG64)__inittext_end) {
                caller.Rip = ret;
                caller.Rsp += 8;
            }
            KiBugCheckWithFrame(&caller, ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY, Address, pte, 0, 0);
        }
        if (access == 1)
            KiBugCheckWithFrame(TrapFrame, ATTEMPTED_WRITE_TO_READONLY_MEMORY, Address, pte, 0, 0);
    }
    if (MiIsSpecialPoolAddress(Address) && !(pte & MI_PTE_P)) {
        ULONG code = (pte & MI_PTE_FREED) ? DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL
                                          : DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION;
        UCHAR slot = MiDriverSlotOf(TrapFrame->Rip);
        if (slot)
            KiSetBugCheckCulprit(MiDriverName(slot), (PVOID)TrapFrame->Rip);
        KiBugCheckWithFrame(TrapFrame, code, Address, access == 1, TrapFrame->Rip, 0);
    }
    if (pte & MI_PTE_PAGED_OUT) {
        if (irql > APC_LEVEL)
            MiBadIrqlFault(TrapFrame, Address, irql, access);
        if (MiResolvePagedOut(Address))
            return TRUE;
    }
    if (irql >= DISPATCH_LEVEL)
        MiBadIrqlFault(TrapFrame, Address, irql, access);
    /* An unmapped user-range address is an access violation, which a __try around the access
     * handles (ProbeForRead/ProbeForWrite callers); without one, the stops below. */
    if (Address < MM_USER_PROBE_ADDRESS && KiDispatchSehException(TrapFrame, STATUS_ACCESS_VIOLATION))
        return TRUE;
    if (Address < 0x10000)
        KiBugCheckWithFrame(TrapFrame, KMODE_EXCEPTION_NOT_HANDLED, 0xC0000005, TrapFrame->Rip, access ? 1 : 0, Address);
    KiBugCheckWithFrame(TrapFrame, PAGE_FAULT_IN_NONPAGED_AREA, Address, access, TrapFrame->Rip, 0);
}

/* IRQL: <= APC_LEVEL; see PAGED_CODE in wdm/mm.h. */
__attribute__((noinline)) VOID MmCheckPagedCode(void)
{
    KIRQL irql = KeGetCurrentIrql();
    if (irql > APC_LEVEL) {
        DbgPrint("*** PAGED_CODE: pageable code called at IRQL %u\n", irql);
        KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, STATUS_ASSERTION_FAILURE_CODE,
                     (ULONG_PTR)__builtin_return_address(0), 0, 0);
    }
}
