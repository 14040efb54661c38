/* io/verifier.c - I/O verification helpers: stop with Windows' code after naming the
 * culprit driver and routine, oplock requests (IRQL rules per routine: kernel/vf/ddi.c). */
#include "iop.h"

PCSTR IopDriverNameA(PDRIVER_OBJECT Driver)
{
    static CHAR buf[64];
    if (!Driver || !Driver->DriverName.Buffer)
        return "?";
    ULONG n = Driver->DriverName.Length / 2, i;
    for (i = 0; i < n && i + 1 < sizeof(buf); i++)
        buf[i] = (CHAR)Driver->DriverName.Buffer[i];
    buf[i] = 0;
    return buf;
}

/* IRQL: any. Never returns. */
VOID IopVerifierStop(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4, PDEVICE_OBJECT Culprit,
                     PVOID Routine)
{
    KiSetBugCheckCulprit(Culprit ? IopDriverNameA(Culprit->DriverObject) : NULL, Routine);
    KeBugCheckEx(Code, P1, P2, P3, P4);
}

/* Oplock requests are never pended and never held by a completion routine. */
BOOLEAN IopIsOplockRequest(PIO_STACK_LOCATION Sp)
{
    if (Sp->MajorFunction != IRP_MJ_FILE_SYSTEM_CONTROL)
        return FALSE;
    switch (Sp->Parameters.FileSystemControl.FsControlCode) {
    case FSCTL_REQUEST_OPLOCK_LEVEL_1:
    case FSCTL_REQUEST_OPLOCK_LEVEL_2:
    case FSCTL_REQUEST_BATCH_OPLOCK:
    case FSCTL_REQUEST_FILTER_OPLOCK:
    case FSCTL_REQUEST_OPLOCK:
        return TRUE;
    default:
        return FALSE;
    }
}
