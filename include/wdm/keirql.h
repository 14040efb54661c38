/* wdm/keirql.h - IRQL and spin-lock fast paths inline, as Windows x64's wdm.h has them: a raise
 * is a CR8 read and write, a lower one CR8 write, a spin lock one locked compare-exchange.
 *
 * While Driver Verifier checks IRQL (KiVerifierFlags, set at boot or by KiSetVerifierFlags),
 * each macro below calls the exported routine of the same name instead, which makes every check
 * (0xC4/0x30, 0x31, 0x40-0x42, DDI rules) and runs the forced-IRQL trim. Which way a macro goes
 * is one 5-byte site the kernel rewrites when the switches change: a nop or the CR8 write
 * while they are off, a jmp to the checked call while one is on (KiPatchBranchTaken and
 * KiPatchedCr8Write below, ke/patch.c). The exported routines stay: taking a routine's
 * address, or calling it with its name in parentheses, e.g. (KeLowerIrql)(Irql), always
 * reaches the checked routine (docs/irql-inline.md).
 * A driver that defines KE_INLINE_IRQL_UNCHECKED before including wdm.h gets bare `mov cr8`
 * raise/lower with no Verifier branch at all, exactly Windows x64's shape. */
#pragma once
#include <arch/x86.h>

extern ULONG KiVerifierFlags;
/* Verifier switches that need the checked IRQL routines: irql (0x01), trim (0x04). The kernel
 * asserts these equal its VERIFIER_* values (ke/irql.c). */
#define KI_VERIFIED_IRQL_FLAGS 0x05u
/* ... and the spin-lock routines: also io (0x02), ddi (0x20), whose DDI table they check, and
 * deadlock (0x40), whose lock-order graph they feed. */
#define KI_VERIFIED_SPINLOCK_FLAGS 0x67u
/* ... and the kernel's own DDI entry checks (kernel/vf/vf.h VfDdiCheckAt): ddi, irql, io. */
#define KI_VERIFIED_DDI_FLAGS 0x23u

#define KiIrqlVerified() __builtin_expect((KiVerifierFlags & KI_VERIFIED_IRQL_FLAGS) != 0, 0)
#define KiSpinLockVerified() __builtin_expect((KiVerifierFlags & KI_VERIFIED_SPINLOCK_FLAGS) != 0, 0)

/* The Verifier branch of a fast path is one 5-byte instruction that the kernel rewrites
 * (ke/patch.c) whenever a key's switches change: a `jmp` to the checked code while any of them
 * is on; while all are off, a 5-byte `nop` (spin locks, DDI checks) or the CR8 write itself
 * (IRQL), so the fast path with Verifier off is Windows x64's bare `mov cr8`. It is assembled
 * as the `jmp`, whose target tests the switches again: a site the kernel leaves alone (pageable
 * and INIT code) is always right, only slower. The .kipatch table lists every site, its
 * target, its key and its bytes while the key is off. */
#define KI_PATCH_KEY_IRQL 0
#define KI_PATCH_KEY_SPINLOCK 1
#define KI_PATCH_KEY_DDI 2
/* A .kipatch entry: the site (label 1), the checked code, the key, then the 8 bytes the site
 * holds while the key is off (label 3; only the first 5 are written). */
#define KI_PATCH_SITE "1: .byte 0xe9\n\t.long %l[taken] - 2f\n2:\n\t"
#define KI_PATCH_ENTRY_HEAD ".pushsection .kipatch, \"a\"\n\t.balign 8\n\t.quad 1b, %l[taken], %c0\n3:\t"
#define KI_PATCH_ENTRY_TAIL ".fill 8 - (. - 3b), 1, 0x90\n\t.popsection"
FORCEINLINE BOOLEAN KiPatchBranchTaken(const int Key)
{
    __asm__ goto(KI_PATCH_SITE KI_PATCH_ENTRY_HEAD ".byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n\t" KI_PATCH_ENTRY_TAIL
                 : : "i"(Key) : : taken);
    return FALSE;
taken:
    return TRUE;
}
/* An IRQL site is the CR8 write itself while the IRQL key is off: `ds mov %reg, %cr8`, five
 * bytes (the ignored ds prefix makes it one instruction, as Linux pads its alternatives), so the
 * inline pair costs exactly Windows x64's `mov cr8` accesses. FALSE: CR8 now holds Value; TRUE:
 * the jmp was taken and the caller still has to write it, checked or not. */
FORCEINLINE BOOLEAN KiPatchedCr8Write(ULONG64 Value)
{
    __asm__ goto(KI_PATCH_SITE KI_PATCH_ENTRY_HEAD ".byte 0x3e\n\tmov %1, %%cr8\n\t" KI_PATCH_ENTRY_TAIL
                 : : "i"(KI_PATCH_KEY_IRQL), "r"(Value) : "memory" : taken);
    return FALSE;
taken:
    return TRUE;
}
#ifdef KE_INLINE_IRQL_UNCHECKED
#define KiIrqlWriteCr8(Value) (__writecr8(Value), FALSE)
#else
#define KiIrqlWriteCr8(Value) __builtin_expect(KiPatchedCr8Write(Value), 0)
#endif
#define KiSpinLockBranch() (__builtin_expect(KiPatchBranchTaken(KI_PATCH_KEY_SPINLOCK), 0) && KiSpinLockVerified())

/* IRQL: any. */
#define KeGetCurrentIrql() ((KIRQL)__readcr8())

/* IRQL: NewIrql >= current IRQL (not checked unless Verifier is on, as on Windows x64). */
FORCEINLINE KIRQL KiInlineRaiseIrql(KIRQL NewIrql)
{
    ULONG64 old = __readcr8(); /* 0-15 on both paths, so the later lower needs no zero-extension */
    if (KiIrqlWriteCr8(NewIrql)) {
        if (KiIrqlVerified())
            old = (KfRaiseIrql)(NewIrql);
        else
            __writecr8(NewIrql);
    }
    if (old > HIGH_LEVEL)
        __builtin_unreachable();
    return (KIRQL)old;
}

/* IRQL: NewIrql <= current IRQL (not checked unless Verifier is on). Lowering needs no poll:
 * a DPC or APC requested meanwhile is held in the APIC and arrives as CR8 drops. */
FORCEINLINE VOID KiInlineLowerIrql(KIRQL NewIrql)
{
    if (KiIrqlWriteCr8(NewIrql)) {
        if (KiIrqlVerified())
            (KeLowerIrql)(NewIrql);
        else
            __writecr8(NewIrql);
    }
}

#define KfRaiseIrql(NewIrql) KiInlineRaiseIrql(NewIrql)
#define KeRaiseIrql(NewIrql, OldIrql) (*(OldIrql) = KiInlineRaiseIrql(NewIrql))
#define KeRaiseIrqlToDpcLevel() KiInlineRaiseIrql(DISPATCH_LEVEL)
#define KeLowerIrql(NewIrql) KiInlineLowerIrql(NewIrql)

/* Spin locks. The lock word holds its owner, the processor block's address with bit 0 set
 * (gs:[0] is that address); a re-acquire or a release by a non-owner goes out of line, where
 * it is bug-checked as SPIN_LOCK_ALREADY_OWNED / SPIN_LOCK_NOT_OWNED as before. */
VOID KiAcquireSpinLockContended(PKSPIN_LOCK SpinLock); /* ke/spinlock.c: spins, or the 0x0F stop */
VOID KiReleaseSpinLockNotOwner(PKSPIN_LOCK SpinLock);  /* ke/spinlock.c: the 0x10 stop */

FORCEINLINE KSPIN_LOCK KiSpinLockOwnerWord(void)
{
    KSPIN_LOCK self;
    __asm__("movq %%gs:0, %0" : "=r"(self));
    return self | 1;
}

FORCEINLINE VOID KiInlineAcquireSpinLockRaw(PKSPIN_LOCK SpinLock)
{
    KSPIN_LOCK expected = 0;
    if (!__atomic_compare_exchange_n(SpinLock, &expected, KiSpinLockOwnerWord(), FALSE, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED))
        KiAcquireSpinLockContended(SpinLock);
}

FORCEINLINE VOID KiInlineReleaseSpinLockRaw(PKSPIN_LOCK SpinLock)
{
    KSPIN_LOCK expected = KiSpinLockOwnerWord();
    if (!__atomic_compare_exchange_n(SpinLock, &expected, 0, FALSE, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        KiReleaseSpinLockNotOwner(SpinLock);
}

/* IRQL: <= DISPATCH_LEVEL. Returns the old IRQL. */
FORCEINLINE KIRQL KiInlineAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock)
{
    if (KiSpinLockBranch())
        return (KeAcquireSpinLockRaiseToDpc)(SpinLock);
    ULONG64 old = __readcr8();
    if (old > HIGH_LEVEL)
        __builtin_unreachable(); /* as in KiInlineRaiseIrql */
    __writecr8(DISPATCH_LEVEL);
    KiInlineAcquireSpinLockRaw(SpinLock);
    return (KIRQL)old;
}

/* IRQL: DISPATCH_LEVEL (or SYNCH_LEVEL for a KeAcquireSpinLockRaiseToSynch lock). */
FORCEINLINE VOID KiInlineReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    if (KiSpinLockBranch()) {
        (KeReleaseSpinLock)(SpinLock, NewIrql);
        return;
    }
    KiInlineReleaseSpinLockRaw(SpinLock);
    __writecr8(NewIrql);
}

/* IRQL: >= DISPATCH_LEVEL. */
FORCEINLINE VOID KiInlineAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    if (KiSpinLockBranch()) {
        (KeAcquireSpinLockAtDpcLevel)(SpinLock);
        return;
    }
    KiInlineAcquireSpinLockRaw(SpinLock);
}

/* IRQL: >= DISPATCH_LEVEL. */
FORCEINLINE VOID KiInlineReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    if (KiSpinLockBranch()) {
        (KeReleaseSpinLockFromDpcLevel)(SpinLock);
        return;
    }
    KiInlineReleaseSpinLockRaw(SpinLock);
}

#define KeAcquireSpinLockRaiseToDpc(SpinLock) KiInlineAcquireSpinLockRaiseToDpc(SpinLock)
#define KeAcquireSpinLock(SpinLock, OldIrql) (*(OldIrql) = KiInlineAcquireSpinLockRaiseToDpc(SpinLock))
#define KeReleaseSpinLock(SpinLock, NewIrql) KiInlineReleaseSpinLock(SpinLock, NewIrql)
#define KeAcquireSpinLockAtDpcLevel(SpinLock) KiInlineAcquireSpinLockAtDpcLevel(SpinLock)
#define KeReleaseSpinLockFromDpcLevel(SpinLock) KiInlineReleaseSpinLockFromDpcLevel(SpinLock)
