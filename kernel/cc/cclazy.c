/* kernel/cc/cclazy.c - the lazy writer: a system thread that wakes every quarter of the delay
 * and writes back every view that has been dirty for the delay (`cclazydelay=MS`, 1000). */
#include "ccp.h"

static KEVENT CcpLazyWake;
static ULONG64 CcpLazyDelay; /* 100 ns units */

/* Lock held. One pass over the views, oldest use first; each file's callbacks are asked
 * before its data is written, as Windows' lazy writer does through AcquireForLazyWrite. */
static VOID CcpLazyScan(ULONG64 Now)
{
    CcpStats.LazyWriterScans++;
    for (PLIST_ENTRY e = CcpLru.Flink; e != &CcpLru && CcpStats.DirtyViews; e = e->Flink) {
        PCC_VIEW v = CONTAINING_RECORD(e, CC_VIEW, Lru);
        PSHARED_CACHE_MAP map = v->Map;
        if (!v->Dirty || Now - v->DirtySince < CcpLazyDelay)
            continue;
        if (map->Callbacks.AcquireForLazyWrite && !map->Callbacks.AcquireForLazyWrite(map->LazyWriteContext, TRUE))
            continue;
        if (NT_SUCCESS(CcpWriteView(map, v)))
            CcpStats.LazyWriterViews++;
        if (map->Callbacks.ReleaseFromLazyWrite)
            map->Callbacks.ReleaseFromLazyWrite(map->LazyWriteContext);
    }
}

/* KSTART_ROUTINE, PASSIVE_LEVEL. Never returns. */
static VOID CcpLazyWriter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    LARGE_INTEGER period;
    period.QuadPart = -(LONGLONG)(CcpLazyDelay / 4);
    for (;;) {
        KeWaitForSingleObject(&CcpLazyWake, Executive, KernelMode, FALSE, &period);
        ExAcquireFastMutex(&CcpLock);
        if (CcpStats.DirtyViews)
            CcpLazyScan(KeQueryInterruptTime());
        ExReleaseFastMutex(&CcpLock);
    }
}

VOID CcpStartLazyWriter(void)
{
    HANDLE h;
    ULONG64 ms = KiGetBootOptionNumber("cclazydelay", 1000);
    if (ms < 4)
        ms = 4;
    CcpLazyDelay = ms * 10000;
    CcpStats.LazyWriteDelayMs = (ULONG)ms;
    KeInitializeEvent(&CcpLazyWake, SynchronizationEvent, FALSE);
    if (NT_SUCCESS(PsCreateSystemThread(&h, 0, NULL, NULL, NULL, CcpLazyWriter, NULL)))
        ZwClose(h);
}
