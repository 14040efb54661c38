/* kernel/ke/patch.c - the Verifier branches of the inline IRQL and spin-lock fast paths
 * (wdm/keirql.h): a nop or the CR8 write while a key's switches are off, else a jmp. */
#include "ki.h"
#include "../hal/hal.h"

static const ULONG KipKeyFlags[] = { KI_VERIFIED_IRQL_FLAGS, KI_VERIFIED_SPINLOCK_FLAGS, KI_VERIFIED_DDI_FLAGS };
/* As built every site is the jmp: a key is armed until KiInitializeVerifierPatches says not. */
static BOOLEAN KipKeyArmed[ARRAYSIZE(KipKeyFlags)] = { TRUE, TRUE, TRUE };
static volatile ULONG KipRewriteKeys, KipRewriteDone;
static ULONG KipRewriter;
KI_PATCH_STATISTICS KiPatchStatistics;

/* Only .text is rewritten: pageable code may be out on the paging file and INIT code is given
 * back after DriverEntry, and their sites, left as the jmp, test the switches themselves. */
static BOOLEAN KipRewritable(const KI_PATCH_ENTRY *E)
{
    return E->Site >= (ULONG_PTR)__text_start && E->Site + 5 <= (ULONG_PTR)__text_end;
}

static VOID KipRewrite(ULONG Keys)
{
    for (const KI_PATCH_ENTRY *e = __kipatch_start; e < __kipatch_end; e++) {
        if (!(Keys & (1u << e->Key)) || !KipRewritable(e))
            continue;
        UCHAR code[5];
        LONG rel = (LONG)(e->Target - (e->Site + 5));
        if (KipKeyArmed[e->Key]) {
            code[0] = 0xE9;
            RtlCopyMemory(code + 1, &rel, 4);
        } else {
            RtlCopyMemory(code, e->Off, 5);
        }
        /* .text is mapped read-only; its direct-map alias is not (mm/map.c) */
        volatile UCHAR *alias = HalPhysicalToVirtual(e->Site - KERNEL_OFFSET);
        for (ULONG i = 0; i < 5; i++)
            alias[i] = code[i];
        KiPatchStatistics.SitesRewritten++;
    }
    KiPatchStatistics.Rewrites++;
}

/* At IPI_LEVEL on every processor at once (KeIpiGenericCall): one rewrites, the others wait in
 * this loop, where no site is, and all serialise before they run the new code again, as the
 * SDM's cross-modifying-code rule asks. */
static ULONG_PTR KipRewriteEverywhere(ULONG_PTR Context)
{
    UNREFERENCED_PARAMETER(Context);
    if (KeGetCurrentPrcb()->Number == KipRewriter) {
        KipRewrite(KipRewriteKeys);
        __atomic_store_n(&KipRewriteDone, 1, __ATOMIC_RELEASE);
    } else {
        while (!__atomic_load_n(&KipRewriteDone, __ATOMIC_ACQUIRE))
            _mm_pause();
    }
    ULONG a = 0, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
    return 0;
}

static KSPIN_LOCK KipPatchLock;

static VOID KipSetKeys(ULONG Keys, BOOLEAN Armed)
{
    for (ULONG k = 0; k < ARRAYSIZE(KipKeyFlags); k++)
        if (Keys & (1u << k))
            KipKeyArmed[k] = Armed;
    if (KiActiveProcessorCount <= 1) {
        ULONG64 f = __readeflags();
        _disable(); /* an interrupt handler between two bytes of a site would run half of it */
        KipRewrite(Keys);
        if (f & 0x200)
            _enable();
        return;
    }
    KipRewriteKeys = Keys;
    KipRewriteDone = 0;
    KipRewriter = KeGetCurrentPrcb()->Number; /* the caller holds DISPATCH_LEVEL: it stays here */
    KeIpiGenericCall(KipRewriteEverywhere, 0);
}

/* IRQL: < IPI_LEVEL. The one way to change the Verifier switches once the kernel runs: a key
 * going on has its sites made jmps before the flags show it; a key going off, after. */
VOID KiSetVerifierFlags(ULONG Flags)
{
    ULONG on = 0, off = 0;
    KIRQL old;
    /* the exported routines, named in parentheses: the inline ones' sites are being rewritten */
    (KeAcquireSpinLock)(&KipPatchLock, &old);
    for (ULONG k = 0; k < ARRAYSIZE(KipKeyFlags); k++) {
        BOOLEAN want = (Flags & KipKeyFlags[k]) != 0;
        if (want && !KipKeyArmed[k])
            on |= 1u << k;
        else if (!want && KipKeyArmed[k])
            off |= 1u << k;
    }
    if (on)
        KipSetKeys(on, TRUE);
    KiVerifierFlags = Flags;
    if (off)
        KipSetKeys(off, FALSE);
    (KeReleaseSpinLock)(&KipPatchLock, old);
}

/* Boot, one processor, interrupts off, before anything takes a spin lock: the keys whose
 * switches the boot options left off get their nops (the others are already the jmp). */
VOID KiInitializeVerifierPatches(void)
{
    ULONG off = 0;
    for (ULONG k = 0; k < ARRAYSIZE(KipKeyFlags); k++)
        if (!(KiVerifierFlags & KipKeyFlags[k])) {
            KipKeyArmed[k] = FALSE;
            off |= 1u << k;
        }
    if (off)
        KipRewrite(off);
}

/* IRQL: any. FALSE when KiVerifierFlags was written behind KiSetVerifierFlags's back, so that
 * a key's sites disagree with its switches (the test framework asks after every test). */
BOOLEAN KiVerifierPatchesAgree(void)
{
    for (ULONG k = 0; k < ARRAYSIZE(KipKeyFlags); k++)
        if (KipKeyArmed[k] != ((KiVerifierFlags & KipKeyFlags[k]) != 0))
            return FALSE;
    return TRUE;
}
