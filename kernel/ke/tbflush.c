/* ke/tbflush.c - TLB shootdown: a page-table change made on one processor is flushed from
 * every other processor's TLB (an IPI each) before the change is relied on. */
#include "ki.h"

static KSPIN_LOCK KipTbLock; /* one shootdown in flight: its address and who has not yet flushed */
static volatile ULONG64 KipTbAddress;
static volatile KAFFINITY KipTbPending;
volatile ULONG64 KiTbShootdowns;

/* Target side, at IPI_LEVEL or from a spin loop polling requests. */
VOID KiFlushTlbTarget(void)
{
    __invlpg((PVOID)KipTbAddress);
    __atomic_and_fetch(&KipTbPending, ~((KAFFINITY)1 << KeGetCurrentPrcb()->Number), __ATOMIC_SEQ_CST);
}

/* IRQL: any (the memory manager calls it at HIGH_LEVEL under its lock). Invalidates Va
 * here and on every other processor, and returns only when all have done so; while it
 * waits it serves requests aimed at this processor, so two shootdowns cannot deadlock. */
VOID KiFlushSingleTb(PVOID Va)
{
    __invlpg(Va);
    if (KiActiveProcessorCount < 2)
        return;
    KIRQL old = KiRaiseIrqlRaw(HIGH_LEVEL);
    PKPRCB prcb = KeGetCurrentPrcb();
    KSPIN_LOCK expected = 0;
    while (!__atomic_compare_exchange_n(&KipTbLock, &expected, (KSPIN_LOCK)prcb | 1, FALSE, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
        expected = 0;
        KiIpiPoll();
        _mm_pause();
    }
    KAFFINITY others = KiActiveProcessors & ~((KAFFINITY)1 << prcb->Number);
    KipTbAddress = (ULONG64)Va;
    __atomic_store_n(&KipTbPending, others, __ATOMIC_SEQ_CST);
    KiIpiSend(others, KI_IPI_TLB);
    while (__atomic_load_n(&KipTbPending, __ATOMIC_ACQUIRE)) {
        KiIpiPoll();
        _mm_pause();
    }
    KiTbShootdowns++;
    __atomic_store_n(&KipTbLock, 0, __ATOMIC_RELEASE);
    KiLowerIrqlRaw(old);
}
