/* mm/fault.c - the page-fault policy: what Windows reports for a fault the memory manager
 * cannot resolve, chosen by IRQL and by whether the faulting code belongs to a driver. */
#include "../ke/ki.h"

BOOLEAN KiPageFault(PKTRAP_FRAME TrapFrame, ULONG64 Address)
{
    KIRQL irql = KeGetCurrentIrql();
    ULONG64 ec = TrapFrame->ErrorCode;
    ULONG access = (ec & 0x10) ? 8 : (ec & 2) ? 1 : 0; /* execute, write, read */
    if (irql >= DISPATCH_LEVEL)
        KiBugCheckWithFrame(TrapFrame, IRQL_NOT_LESS_OR_EQUAL, Address, irql, access, TrapFrame->Rip);
    if (Address < 0x10000)
        KiBugCheckWithFrame(TrapFrame, KMODE_EXCEPTION_NOT_HANDLED, 0xC0000005, TrapFrame->Rip, access ? 1 : 0, Address);
    KiBugCheckWithFrame(TrapFrame, PAGE_FAULT_IN_NONPAGED_AREA, Address, access ? 1 : 0, TrapFrame->Rip, 0);
}
