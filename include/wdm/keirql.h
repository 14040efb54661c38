/* wdm/keirql.h - IRQL and spin-lock fast paths inline, as Windows x64's wdm.h has them: a raise
 * is a CR8 read and write, a lower one CR8 write, a spin lock one locked compare-exchange.
 *
 * While Driver Verifier checks IRQL (KiVerifierFlags, set at boot or by a test), each macro
 * below calls the exported routine of the same name instead, which makes every check (0xC4/0x30,
 * 0x31, 0x40-0x42, DDI rules) and runs the forced-IRQL trim. That costs the fast path one test
 * of one word and a branch that goes the same way all boot. The exported routines stay: taking
 * a routine's address, or calling it with its name in parentheses, e.g. (KeLowerIrql)(Irql),
 * always reaches the checked routine (docs/irql-inline.md).
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

#ifdef KE_INLINE_IRQL_UNCHECKED
#define KiIrqlVerified() FALSE
#else
#define KiIrqlVerified() __builtin_expect((KiVerifierFlags & KI_VERIFIED_IRQL_FLAGS) != 0, 0)
#endif
#define KiSpinLockVerified() __builtin_expect((KiVerifierFlags & KI_VERIFIED_SPINLOCK_FLAGS) != 0, 0)

/* IRQL: any. */
#define KeGetCurrentIrql() ((KIRQL)__readcr8())

/* IRQL: NewIrql >= current IRQL (not checked unless Verifier is on, as on Windows x64). */
FORCEINLINE KIRQL KiInlineRaiseIrql(KIRQL NewIrql)
{
    ULONG64 old; /* 0-15 on both paths, so the later lower needs no zero-extension */
    if (KiIrqlVerified()) {
        old = (KfRaiseIrql)(NewIrql);
    } else {
        old = __readcr8();
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
    if (KiIrqlVerified()) {
        (KeLowerIrql)(NewIrql);
        return;
    }
    __writecr8(NewIrql);
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
    if (KiSpinLockVerified())
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
    if (KiSpinLockVerified()) {
        (KeReleaseSpinLock)(SpinLock, NewIrql);
        return;
    }
    KiInlineReleaseSpinLockRaw(SpinLock);
    __writecr8(NewIrql);
}

/* IRQL: >= DISPATCH_LEVEL. */
FORCEINLINE VOID KiInlineAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    if (KiSpinLockVerified()) {
        (KeAcquireSpinLockAtDpcLevel)(SpinLock);
        return;
    }
    KiInlineAcquireSpinLockRaw(SpinLock);
}

/* IRQL: >= DISPATCH_LEVEL. */
FORCEINLINE VOID KiInlineReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    if (KiSpinLockVerified()) {
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
