/* tests/ke/kthread_util.h - helpers the thread and wait tests share: start a thread at a
 * priority, wait (bounded) for it to end. */
#pragma once
#include "../ktest.h"
#include "../../kernel/ke/ki.h"

/* The thread gets the caller's affinity: the tests of one processor's interleavings (every
 * suite but smp*, see KtpExecute) keep their threads on processor 0 with them. */
FORCEINLINE PKTHREAD KtStartThread(PKSTART_ROUTINE Routine, PVOID Context, KPRIORITY Priority)
{
    PKTHREAD t = NULL;
    if (!NT_SUCCESS(KiCreateSystemThreadEx(Routine, Context, Priority, "test", KeGetCurrentThread()->Affinity, &t)))
        return NULL;
    return t;
}

/* Waits for the thread to end (at least Ms milliseconds, never under 2 s: a loaded host
 * may starve the guest); drops the reference. */
FORCEINLINE NTSTATUS KtJoinThread(PKTHREAD Thread, ULONG Ms)
{
    LARGE_INTEGER to;
    to.QuadPart = -(LONGLONG)(Ms < 2000 ? 2000 : Ms) * 10000;
    NTSTATUS st = KeWaitForSingleObject(Thread, Executive, KernelMode, FALSE, &to);
    if (st == STATUS_SUCCESS)
        KiDereferenceThread(Thread);
    return st;
}

FORCEINLINE LARGE_INTEGER KtMs(LONG Ms)
{
    LARGE_INTEGER v;
    v.QuadPart = -(LONGLONG)Ms * 10000;
    return v;
}
