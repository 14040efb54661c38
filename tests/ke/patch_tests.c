/* tests/ke/patch_tests.c - the inline fast paths' Verifier branches (ke/patch.c): a nop or the
 * CR8 write with a key's switches off, a jmp to the checked code with them on, safe on 4 CPUs. */
#include "../ktest.h"
#include "kthread_util.h"
#include "../../kernel/hal/hal.h"
#include "../../kernel/vf/vf.h"

static const UCHAR KtpNop5[5] = { 0x0F, 0x1F, 0x44, 0x00, 0x00 };

/* The test's own idea of which sites the kernel may rewrite, kept apart from ke/patch.c's. */
static BOOLEAN KtpInText(const KI_PATCH_ENTRY *E)
{
    return E->Site >= (ULONG_PTR)__text_start && E->Site + 5 <= (ULONG_PTR)__text_end;
}

static BOOLEAN KtpIsJump(const KI_PATCH_ENTRY *E)
{
    const UCHAR *p = (const UCHAR *)E->Site;
    LONG rel;
    RtlCopyMemory(&rel, p + 1, 4);
    return p[0] == 0xE9 && E->Site + 5 + rel == E->Target;
}

/* An IRQL site's off form is `ds mov %reg, %cr8` (3e, REX with R set, 0f 22, mod 11 reg 000);
 * a spin-lock or DDI-check site's, the 5-byte nop. */
static BOOLEAN KtpOffFormIsRight(const KI_PATCH_ENTRY *E)
{
    const UCHAR *o = E->Off;
    if (E->Key == KI_PATCH_KEY_SPINLOCK || E->Key == KI_PATCH_KEY_DDI)
        return RtlCompareMemory(o, KtpNop5, 5) == 5;
    return E->Key == KI_PATCH_KEY_IRQL && o[0] == 0x3E && (o[1] & 0xFC) == 0x44 && o[2] == 0x0F && o[3] == 0x22 &&
           (o[4] & 0xF8) == 0xC0;
}

/* Every site of Key in .text is a jmp (Armed) or its off form; every site elsewhere (pageable and
 * INIT code, never rewritten) is still the jmp it was built as. Returns the sites of Key. */
static ULONG KtpSitesAre(ULONG Key, BOOLEAN Armed, ULONG *Wrong)
{
    ULONG n = 0;
    *Wrong = 0;
    for (const KI_PATCH_ENTRY *e = __kipatch_start; e < __kipatch_end; e++) {
        if (e->Key != Key)
            continue;
        n++;
        if ((!KtpInText(e) || Armed) ? !KtpIsJump(e) : RtlCompareMemory((PVOID)e->Site, e->Off, 5) != 5)
            (*Wrong)++;
    }
    return n;
}

/* The checked KfRaiseIrql (and the checked spin-lock acquire, which raises through it) call
 * the DISPATCH_LEVEL raise hook; the bare inline paths do not. */
static volatile ULONG KtpCheckedRaises;
static VOID KtpCountRaise(void) { KtpCheckedRaises++; }

/* One inline raise/lower pair and one inline spin-lock pair; returns which reached the checked
 * routines: bit 0 the IRQL pair, bit 1 the spin-lock pair. */
static ULONG KtpWhichPathsAreChecked(void)
{
    KIRQL old;
    KSPIN_LOCK l;
    ULONG r = 0, before = KtpCheckedRaises;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeLowerIrql(old);
    if (KtpCheckedRaises != before)
        r |= 1;
    before = KtpCheckedRaises;
    KeInitializeSpinLock(&l);
    KeAcquireSpinLock(&l, &old);
    KeReleaseSpinLock(&l, old);
    if (KtpCheckedRaises != before)
        r |= 2;
    return r;
}

/* Pageable code may be on the paging file when the switches change, so its sites are never
 * rewritten: they stay the jmp, whose target tests the switches, and are right either way. */
PAGEABLE static KIRQL KtpPageableRaiseToApc(void)
{
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    KeLowerIrql(old);
    return old;
}

KTEST(kepatch, pageable_sites_stay_jumps_and_run_right_either_way)
{
    ULONG saved = KiVerifierFlags, wrong, outside = 0;
    for (const KI_PATCH_ENTRY *e = __kipatch_start; e < __kipatch_end; e++)
        if (!KtpInText(e))
            outside++;
    KT_ASSERT(outside >= 2); /* KtpPageableRaiseToApc's raise and lower, at least */
    KT_EQ(KtpPageableRaiseToApc(), PASSIVE_LEVEL);
    /* The frame the image loaded a pageable site into may since have been trimmed and handed
     * to someone else: a rewrite through its direct-map alias would land there. */
    UCHAR before[8][5];
    ULONG n = 0;
    for (const KI_PATCH_ENTRY *e = __kipatch_start; e < __kipatch_end && n < 8; e++)
        if (!KtpInText(e))
            RtlCopyMemory(before[n++], HalPhysicalToVirtual(e->Site - KERNEL_OFFSET), 5);
    KiSetVerifierFlags(0);
    n = 0;
    for (const KI_PATCH_ENTRY *e = __kipatch_start; e < __kipatch_end && n < 8; e++)
        if (!KtpInText(e))
            KT_EQ(RtlCompareMemory(before[n++], HalPhysicalToVirtual(e->Site - KERNEL_OFFSET), 5), 5);
    KtpSitesAre(KI_PATCH_KEY_IRQL, FALSE, &wrong); /* .text: nop; elsewhere: still the jmp */
    KT_EQ(wrong, 0);
    KT_EQ(KtpPageableRaiseToApc(), PASSIVE_LEVEL);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KiSetVerifierFlags(saved);
    KT_EQ(KtpPageableRaiseToApc(), PASSIVE_LEVEL);
}

/* With the IRQL switches off an inline raise or lower is one instruction, the site itself: the
 * table holds a CR8 write for every IRQL site and the nop for every spin-lock site, and a raise
 * and a lower through those bytes really set CR8 (the hook sees no checked call). */
KTEST(kepatch, irql_sites_are_the_cr8_write_while_the_key_is_off)
{
    ULONG saved = KiVerifierFlags, wrong = 0, irql = 0;
    PKI_RAISE_HOOK hook = KiDispatchRaiseHook;
    for (const KI_PATCH_ENTRY *e = __kipatch_start; e < __kipatch_end; e++) {
        irql += e->Key == KI_PATCH_KEY_IRQL;
        if (!KtpOffFormIsRight(e))
            wrong++;
    }
    KT_ASSERT(irql > 20);
    KT_EQ(wrong, 0);
    KiDispatchRaiseHook = KtpCountRaise;
    KiSetVerifierFlags(0);
    ULONG before = KtpCheckedRaises;
    KIRQL old = KeRaiseIrqlToDpcLevel();
    KIRQL mid = KeGetCurrentIrql();
    KeRaiseIrql(HIGH_LEVEL, &old);
    KIRQL high = KeGetCurrentIrql();
    KeLowerIrql(DISPATCH_LEVEL);
    KIRQL back = KeGetCurrentIrql();
    KeLowerIrql(PASSIVE_LEVEL);
    ULONG checked = KtpCheckedRaises - before;
    KiSetVerifierFlags(saved);
    KiDispatchRaiseHook = hook;
    KT_EQ(mid, DISPATCH_LEVEL);
    KT_EQ(old, DISPATCH_LEVEL);
    KT_EQ(high, HIGH_LEVEL);
    KT_EQ(back, DISPATCH_LEVEL);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ(checked, 0);
}

KTEST(kepatch, verifier_switches_rewrite_each_keys_inline_branches)
{
    ULONG saved = KiVerifierFlags, wrong;
    PKI_RAISE_HOOK hook = KiDispatchRaiseHook;
    KT_ASSERT((saved & KI_VERIFIED_IRQL_FLAGS) && (saved & KI_VERIFIED_SPINLOCK_FLAGS)); /* verifier=all */
    KT_ASSERT(KtpSitesAre(KI_PATCH_KEY_IRQL, TRUE, &wrong) > 20);
    KT_EQ(wrong, 0);
    KT_ASSERT(KtpSitesAre(KI_PATCH_KEY_SPINLOCK, TRUE, &wrong) > 20);
    KT_EQ(wrong, 0);
    KT_ASSERT(KtpSitesAre(KI_PATCH_KEY_DDI, TRUE, &wrong) > 20);
    KT_EQ(wrong, 0);
    KiDispatchRaiseHook = KtpCountRaise;
    KT_EQ(KtpWhichPathsAreChecked(), 3);

    KiSetVerifierFlags(0); /* every switch off: both keys' sites become the nop */
    KT_EQ(KiVerifierFlags, 0);
    KtpSitesAre(KI_PATCH_KEY_IRQL, FALSE, &wrong);
    KT_EQ(wrong, 0);
    KtpSitesAre(KI_PATCH_KEY_SPINLOCK, FALSE, &wrong);
    KT_EQ(wrong, 0);
    KtpSitesAre(KI_PATCH_KEY_DDI, FALSE, &wrong);
    KT_EQ(wrong, 0);
    KT_EQ(KtpWhichPathsAreChecked(), 0);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);

    KiSetVerifierFlags(VERIFIER_IO_CHECKING); /* a spin-lock switch only */
    KtpSitesAre(KI_PATCH_KEY_IRQL, FALSE, &wrong);
    KT_EQ(wrong, 0);
    KtpSitesAre(KI_PATCH_KEY_SPINLOCK, TRUE, &wrong);
    KT_EQ(wrong, 0);
    KtpSitesAre(KI_PATCH_KEY_DDI, TRUE, &wrong); /* io is a DDI-check switch too */
    KT_EQ(wrong, 0);
    KT_EQ(KtpWhichPathsAreChecked(), 2);

    KiSetVerifierFlags(VERIFIER_FORCE_IRQL_TRIM); /* trim is an IRQL and a spin-lock switch */
    KT_EQ(KtpWhichPathsAreChecked(), 3);
    KT_ASSERT(KiVerifierPatchesAgree());

    KiSetVerifierFlags(saved);
    KiDispatchRaiseHook = hook;
    KtpSitesAre(KI_PATCH_KEY_IRQL, TRUE, &wrong);
    KT_EQ(wrong, 0);
    KtpSitesAre(KI_PATCH_KEY_SPINLOCK, TRUE, &wrong);
    KT_EQ(wrong, 0);
}

/* A write behind KiSetVerifierFlags's back is seen (the framework asks after every test). */
KTEST(kepatch, flags_written_directly_disagree_with_the_sites)
{
    ULONG saved = KiVerifierFlags;
    KT_ASSERT(KiVerifierPatchesAgree());
    KiVerifierFlags = 0;
    BOOLEAN agree = KiVerifierPatchesAgree();
    KiVerifierFlags = saved;
    KT_ASSERT(!agree);
    KT_ASSERT(KiVerifierPatchesAgree());
}

/* Three processors run inline spin-lock and IRQL pairs flat out while processor 0 turns the
 * switches off and on: each rewrite happens with the others held at IPI_LEVEL, so no processor
 * ever runs half a site, and the count under the lock is exact. */
#define KTP_WORKERS 3
#define KTP_PAIRS 20000
static KSPIN_LOCK KtpLock;
static volatile ULONG KtpCount, KtpWorkersDone;

static VOID KtpHammer(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (ULONG i = 0; i < KTP_PAIRS; i++) {
        KIRQL old, old2;
        KeAcquireSpinLock(&KtpLock, &old);
        KeRaiseIrql(HIGH_LEVEL, &old2);
        KtpCount++;
        KeLowerIrql(old2);
        KeReleaseSpinLock(&KtpLock, old);
    }
    __atomic_add_fetch(&KtpWorkersDone, 1, __ATOMIC_SEQ_CST);
}

KTEST_EX(smppatch, rewrites_while_three_processors_run_the_sites, 0, "smp=4")
{
    PKTHREAD t[KTP_WORKERS];
    ULONG saved = KiVerifierFlags, rewrites = KiPatchStatistics.Rewrites, turns = 0;
    KeInitializeSpinLock(&KtpLock);
    KtpCount = KtpWorkersDone = 0;
    for (ULONG i = 0; i < KTP_WORKERS; i++)
        KT_ASSERT(NT_SUCCESS(KiCreateSystemThreadEx(KtpHammer, NULL, 8, "patch", (KAFFINITY)1 << (i + 1), &t[i])));
    while (__atomic_load_n(&KtpWorkersDone, __ATOMIC_ACQUIRE) < KTP_WORKERS) {
        KiSetVerifierFlags(turns & 1 ? saved : 0);
        turns++;
    }
    KiSetVerifierFlags(saved);
    for (ULONG i = 0; i < KTP_WORKERS; i++)
        KT_STATUS(KtJoinThread(t[i], 30000), STATUS_SUCCESS);
    DbgPrint("# %u switch changes while the workers ran\n", turns);
    KT_ASSERT(turns >= 4);
    KT_ASSERT(KiPatchStatistics.Rewrites > rewrites);
    KT_EQ(KtpCount, KTP_WORKERS * KTP_PAIRS);
    KT_ASSERT(KiVerifierPatchesAgree());
}

/* A boot without Verifier has every DDI-check site as the nop; turning ddi on at run time makes
 * them the jmp again, so ZwClose at APC_LEVEL is caught with rule IrqlZwPassive's stop. */
KTEST_EX(kepatchddi, ddi_checks_turned_on_at_run_time_catch_the_next_call, DRIVER_VERIFIER_DETECTED_VIOLATION,
         "verifier=none")
{
    ULONG wrong;
    KIRQL old;
    KT_EQ(KiVerifierFlags, 0);
    KT_ASSERT(KtpSitesAre(KI_PATCH_KEY_DDI, FALSE, &wrong) > 20);
    KT_EQ(wrong, 0);
    KeRaiseIrql(APC_LEVEL, &old);
    KT_STATUS(ZwClose((HANDLE)0x100000), STATUS_INVALID_HANDLE); /* unchecked: a bad handle, no stop */
    KeLowerIrql(old);
    KiSetVerifierFlags(VERIFIER_DDI_CHECKING);
    KtpSitesAre(KI_PATCH_KEY_DDI, TRUE, &wrong);
    KT_EQ(wrong, 0);
    KeRaiseIrql(APC_LEVEL, &old);
    KtExpectBugCheck(0x0002001F, (ULONG_PTR)VfLookupDdiRule(0x0002001F)->Condition, (ULONG_PTR)&VfDdiViolation, 0);
    ZwClose((HANDLE)0x100000);
}
