/* tests/fs/oplock_tests.c - oplock FSCTLs on a FAT file go down the real filter -> FAT stack
 * and are never pended and never held with STATUS_MORE_PROCESSING_REQUIRED by anyone. */
#include "fsutil.h"
#include "../../drivers/filter/filter.h"
#include "../../drivers/fltmgr/fltmgrp.h"

KTEST(fsoplock, oplock_requests_through_filter_and_fat_are_never_pended)
{
    static const ULONG codes[] = { FSCTL_REQUEST_OPLOCK_LEVEL_1, FSCTL_REQUEST_OPLOCK_LEVEL_2,
                                   FSCTL_REQUEST_BATCH_OPLOCK, FSCTL_REQUEST_FILTER_OPLOCK };
    static IO_TRACE_RECORD recs[64];
    HANDLE h;
    IO_STATUS_BLOCK iosb;
    KT_STATUS(FsOpen(L"\\HELLO.TXT", FILE_OPEN, 0, &h, NULL), STATUS_SUCCESS);
    for (ULONG i = 0; i < ARRAYSIZE(codes); i++) {
        ULONG seq = IoGetIrpTraceSequence(), filter = 0, frame = 0, below = 0;
        iosb.Status = STATUS_PENDING;
        NTSTATUS st = ZwFsControlFile(h, NULL, NULL, NULL, &iosb, codes[i], NULL, 0, NULL, 0);
        KT_STATUS(st, STATUS_SUCCESS); /* granted at once: a single-node volume breaks nothing */
        KT_STATUS(iosb.Status, STATUS_SUCCESS);
        ULONG n = IoQueryIrpTrace(NULL, seq, recs, ARRAYSIZE(recs));
        for (ULONG r = 0; r < n; r++) {
            if (recs[r].MajorFunction != IRP_MJ_FILE_SYSTEM_CONTROL)
                continue;
            if (recs[r].Kind == IO_TRACE_DISPATCH) {
                KT_ASSERT(recs[r].Status != STATUS_PENDING);
                KT_ASSERT(!recs[r].PendingReturned); /* not marked pending either */
                if (recs[r].DriverObject == FltDriverObject)
                    filter++;
                else if (recs[r].DriverObject == FltpGlobals.Driver)
                    frame++;
                else
                    below++;
            } else if (recs[r].Kind == IO_TRACE_COMPLETION) {
                KT_ASSERT(recs[r].Status != STATUS_MORE_PROCESSING_REQUIRED);
            }
        }
        KT_EQ(filter, 1); /* the filter's dispatch routine saw it ... */
        KT_EQ(frame, 1);  /* ... the Filter Manager's frame passed it on (no minifilter) ... */
        KT_EQ(below, 1);  /* ... to FAT's */
    }
    ZwClose(h);
}
