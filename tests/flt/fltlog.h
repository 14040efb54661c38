/* tests/flt/fltlog.h - what the test minifilters report: one record per callback (who, which
 * operation, pre or post, the IRQL and thread), read back by the fltmgr tests. */
#pragma once
#include <fltKernel.h>

typedef struct _FLT_TEST_RECORD {
    CHAR Who;           /* 'P' pass-through, 'W' pending, 'S' safe, 'N' null */
    UCHAR Major;
    UCHAR Phase;        /* 0 pre, 1 post, 2 post while draining, 3 safe post at PASSIVE_LEVEL */
    KIRQL Irql;
    PKTHREAD Thread;
} FLT_TEST_RECORD;

#define FLT_TEST_LOG_SIZE 512
typedef struct _FLT_TEST_LOG {
    KSPIN_LOCK Lock;
    ULONG Count;
    FLT_TEST_RECORD Records[FLT_TEST_LOG_SIZE];
} FLT_TEST_LOG;
extern FLT_TEST_LOG FltTestLog;

/* IRQL <= DISPATCH_LEVEL. */
FORCEINLINE VOID FltTestRecord(CHAR Who, UCHAR Major, UCHAR Phase)
{
    KIRQL irql;
    KeAcquireSpinLock(&FltTestLog.Lock, &irql);
    if (FltTestLog.Count < FLT_TEST_LOG_SIZE) {
        FLT_TEST_RECORD *r = &FltTestLog.Records[FltTestLog.Count++];
        r->Who = Who;
        r->Major = Major;
        r->Phase = Phase;
        r->Irql = irql;
        r->Thread = KeGetCurrentThread();
    }
    KeReleaseSpinLock(&FltTestLog.Lock, irql);
}
