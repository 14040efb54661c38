/* io/harderror.c - IoRaiseInformationalHardError: the warning a user gets about data an I/O
 * request lost. There is no desktop for a dialog, so it is one line on the console and log. */
#include "iop.h"

/* IRQL <= APC_LEVEL. Windows (since Vista) shows no dialog for a request of a system thread
 * and returns TRUE; what it writes to the event log is the status's message and the string.
 * Here the line names the status (symbolically when ntstatus.h has it) and the string. */
BOOLEAN IoRaiseInformationalHardError(NTSTATUS ErrorStatus, PUNICODE_STRING String, PKTHREAD Thread)
{
    UNREFERENCED_PARAMETER(Thread);
    PCSTR name = RtlNtStatusName(ErrorStatus);
    if (String && String->Buffer)
        DbgPrint("IO: hard error %s (0x%08x): %wZ\n", name ? name : "Unknown Hard Error", (ULONG)ErrorStatus, String);
    else
        DbgPrint("IO: hard error %s (0x%08x)\n", name ? name : "Unknown Hard Error", (ULONG)ErrorStatus);
    return TRUE;
}
