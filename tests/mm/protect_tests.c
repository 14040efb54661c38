/* tests/mm/protect_tests.c - page protection, each a real fault: text is read-only, data and
 * pool are no-execute, the NULL page and the page below every kernel stack are absent. */
#include "../ktest.h"
#include "../../kernel/mm/mi.h"

KTEST(protect, kernel_image_mappings_have_section_permissions)
{
    ULONG64 text = MiReadPte((ULONG64)KeLowerIrql), data = MiReadPte((ULONG64)&KiVerifierFlags);
    ULONG64 ro = MiReadPte((ULONG64)__rodata_start);
    KT_ASSERT((text & MI_PTE_P) && !(text & MI_PTE_W) && !(text & MI_PTE_NX));
    KT_ASSERT((ro & MI_PTE_P) && !(ro & MI_PTE_W) && (ro & MI_PTE_NX));
    KT_ASSERT((data & MI_PTE_P) && (data & MI_PTE_W) && (data & MI_PTE_NX));
    KT_ASSERT(!MmIsAddressValid(NULL));
    KT_ASSERT(!MmIsAddressValid((PVOID)((ULONG64)KiBootStack - 8)));
    KT_ASSERT(MmIsAddressValid(KiBootStack));
    KT_ASSERT(MmIsAddressValid(HalPhysicalToVirtual(0xB8000))); /* the direct map is intact */
}

static volatile ULONG64 KtpDeepest;
static __attribute__((noinline)) ULONG64 KtpUseStack(ULONG Depth)
{
    volatile UCHAR frame[512];
    frame[0] = (UCHAR)Depth;
    KtpDeepest = (ULONG64)frame;
    return Depth ? KtpUseStack(Depth - 1) + frame[0] : frame[0];
}

/* Runs Routine on another stack and comes back to this one. */
static VOID KtpRunOnStack(PVOID Top, ULONG64 (*Routine)(ULONG), ULONG Arg)
{
    __asm__ volatile("mov %%rsp, %%rbx\n"
                     "mov %0, %%rsp\n"
                     "call *%1\n"
                     "mov %%rbx, %%rsp\n"
                     : : "r"(Top), "r"(Routine), "D"(Arg)
                     : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory");
}

KTEST(protect, kernel_stack_is_usable_and_guarded)
{
    PUCHAR top = MmCreateKernelStack(4);
    KT_ASSERT(top != NULL);
    KT_EQ((ULONG64)top & MI_PAGE_MASK, 0);
    KT_ASSERT(MmIsAddressValid(top - 4 * PAGE_SIZE));
    KT_ASSERT(!MmIsAddressValid(top - 4 * PAGE_SIZE - 1));
    KT_ASSERT(!MmIsAddressPageable(top - 8));
    KtpRunOnStack(top, KtpUseStack, 20); /* about 11 KiB of its 16 */
    KT_ASSERT(KtpDeepest < (ULONG64)top && KtpDeepest >= (ULONG64)top - 4 * PAGE_SIZE);
    MmDeleteKernelStack(top, 4);
    KT_ASSERT(!MmIsAddressValid(top - 8));
}

static volatile ULONG KtpForever = ~0u;
static __attribute__((noinline)) ULONG64 KtpRecurse(ULONG Depth)
{
    volatile UCHAR frame[256];
    frame[0] = (UCHAR)Depth;
    if (Depth == KtpForever)
        return 0;
    return KtpRecurse(Depth + 1) + frame[0];
}

KTEST_BUGCHECK(protect, kernel_stack_overflow_is_double_fault, UNEXPECTED_KERNEL_MODE_TRAP)
{
    PVOID top = MmCreateKernelStack(2);
    KtExpectBugCheck(8, 0, 0, 0);
    KtpRunOnStack(top, KtpRecurse, 0);
}

KTEST_BUGCHECK(protect, boot_stack_overflow_is_double_fault, UNEXPECTED_KERNEL_MODE_TRAP)
{
    KtExpectBugCheck(8, 0, 0, 0);
    KtpRecurse(0);
}

KTEST_BUGCHECK(protect, write_to_stack_guard_page_faults, PAGE_FAULT_IN_NONPAGED_AREA)
{
    PUCHAR top = MmCreateKernelStack(2);
    volatile UCHAR *guard = top - 2 * PAGE_SIZE - 16;
    KtExpectBugCheck((ULONG64)guard, 1, KT_ANY, 0);
    *guard = 1;
}

KTEST_BUGCHECK(protect, write_to_kernel_text_is_read_only_fault, ATTEMPTED_WRITE_TO_READONLY_MEMORY)
{
    volatile UCHAR *code = (volatile UCHAR *)KeLowerIrql;
    KtExpectBugCheck((ULONG64)code, KT_ANY, 0, 0);
    *code = 0xC3;
}

static UCHAR KtpDataCode[16] = { 0xC3 }; /* ret */
KTEST_BUGCHECK(protect, executing_data_is_nx_fault, ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY)
{
    VOID (*volatile fn)(void) = (VOID (*)(void))(PVOID)KtpDataCode;
    KtExpectBugCheck((ULONG64)KtpDataCode, KT_ANY, 0, 0);
    fn();
}

KTEST_BUGCHECK(protect, executing_pool_is_nx_fault, ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY)
{
    PUCHAR p = ExAllocatePoolWithTag(NonPagedPool, 16, 'xNtK');
    p[0] = 0xC3;
    VOID (*volatile fn)(void) = (VOID (*)(void))(PVOID)p;
    KtExpectBugCheck((ULONG64)p, KT_ANY, 0, 0);
    fn();
}

KTEST_BUGCHECK(protect, freed_large_block_is_unmapped, PAGE_FAULT_IN_NONPAGED_AREA)
{
    volatile ULONG *p = ExAllocatePoolWithTag(NonPagedPool, 3 * PAGE_SIZE, 'gLtK');
    p[0] = 1;
    ExFreePoolWithTag((PVOID)p, 'gLtK');
    KtExpectBugCheck((ULONG64)p, 0, KT_ANY, 0);
    (void)p[0];
}
