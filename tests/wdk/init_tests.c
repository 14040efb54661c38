/* tests/wdk/init_tests.c - #pragma alloc_text(INIT, DriverEntry) does what it does on Windows:
 * the code runs once, then its pages are discarded, and calling it again faults. */
#include "wdkapp.h"
#include "../../kernel/mm/mi.h"

KTEST(wdk_init, init_code_is_discarded_after_driver_entry_and_paged_code_stays)
{
    ULONG64 entry = (ULONG64)WdkSample_startio_DriverEntry;
    KT_ASSERT(entry >= (ULONG64)__inittext_start && entry < (ULONG64)__inittext_end);
    KT_ASSERT(MiReadPte(entry) & MI_PTE_P); /* not run yet: mapped */
    PDRIVER_OBJECT d = KtwLoad(L"\\Driver\\StartIo", WdkSample_startio_DriverEntry);
    KT_ASSERT(d);
    KT_EQ(MiReadPte(entry), MI_PTE_FREED); /* gone, marked free */
    /* what DriverEntry set up still works: the unload routine (alloc_text PAGE) runs */
    KT_ASSERT(d->DriverUnload != NULL);
    KT_ASSERT(MiIsPageTextAddress((ULONG64)d->DriverUnload));
    KT_STATUS(KtwUnload(d), STATUS_SUCCESS);
}

/* A driver that keeps a pointer to its INIT code and calls it later: on Windows the page is
 * gone and the call stops with PAGE_FAULT_IN_NONPAGED_AREA: P1 the address, P2 8 (execute),
 * P3 the instruction that faulted (the same address), P4 0 (a PTE marked free). */
KTEST_BUGCHECK(wdk_init, calling_discarded_init_code_is_a_page_fault_in_nonpaged_area, PAGE_FAULT_IN_NONPAGED_AREA)
{
    UNICODE_STRING reg = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\StartIo");
    PDRIVER_OBJECT d = KtwLoad(L"\\Driver\\StartIo", WdkSample_startio_DriverEntry);
    KT_ASSERT(d);
    ULONG64 entry = (ULONG64)WdkSample_startio_DriverEntry;
    KtExpectBugCheck(entry, 8, entry, 0);
    WdkSample_startio_DriverEntry(d, &reg);
}
