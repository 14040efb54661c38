/* mm/driver.c - the driver-image registry: which code range is which driver, so faults
 * and pool allocations can be charged to a driver by instruction or caller address. */
#include "mi.h"

#define MI_MAX_DRIVERS 32
typedef struct _MI_DRIVER_IMAGE {
    CHAR Name[32];
    ULONG64 Start, End; /* End 0: slot free */
} MI_DRIVER_IMAGE;
static MI_DRIVER_IMAGE MipDrivers[MI_MAX_DRIVERS];

static MI_DRIVER_IMAGE *MipFind(PCSTR Name)
{
    for (ULONG i = 0; i < MI_MAX_DRIVERS; i++)
        if (MipDrivers[i].End && strcmp(MipDrivers[i].Name, Name) == 0)
            return &MipDrivers[i];
    return NULL;
}

/* IRQL: PASSIVE_LEVEL. */
NTSTATUS MmRegisterDriverImage(PCSTR DriverName, PVOID Start, SIZE_T Length)
{
    if (!DriverName || !Length || strlen(DriverName) >= sizeof(MipDrivers[0].Name))
        return STATUS_INVALID_PARAMETER;
    MI_DRIVER_IMAGE *d = MipFind(DriverName);
    if (d && d->Start != d->End)
        return STATUS_OBJECT_NAME_COLLISION;
    if (d) { /* loaded again: same slot, so its pool accounting continues */
        d->Start = (ULONG64)Start;
        d->End = (ULONG64)Start + Length;
        return STATUS_SUCCESS;
    }
    for (ULONG i = 0; i < MI_MAX_DRIVERS; i++)
        if (!MipDrivers[i].End) {
            RtlCopyMemory(MipDrivers[i].Name, DriverName, strlen(DriverName) + 1);
            MipDrivers[i].Start = (ULONG64)Start;
            MipDrivers[i].End = (ULONG64)Start + Length;
            return STATUS_SUCCESS;
        }
    return STATUS_INSUFFICIENT_RESOURCES;
}

/* IRQL: PASSIVE_LEVEL. The slot keeps its name for the pool report. */
VOID MmUnregisterDriverImage(PCSTR DriverName)
{
    MI_DRIVER_IMAGE *d = MipFind(DriverName);
    if (d)
        d->Start = d->End = 1; /* matches no address, keeps the slot's name */
}

/* IRQL: any. The most recent registration wins, so a driver inside a larger range is found. */
UCHAR MiDriverSlotOf(ULONG64 Address)
{
    for (ULONG i = MI_MAX_DRIVERS; i-- > 0;)
        if (Address >= MipDrivers[i].Start && Address < MipDrivers[i].End)
            return (UCHAR)(i + 1);
    return 0;
}

PCSTR MiDriverName(UCHAR Slot) { return Slot ? MipDrivers[Slot - 1].Name : NULL; }

UCHAR MiDriverSlotByName(PCSTR Name)
{
    MI_DRIVER_IMAGE *d = MipFind(Name);
    return d ? (UCHAR)(d - MipDrivers + 1) : 0;
}

/* IRQL: any. */
PCSTR MmLookupDriverByAddress(PVOID Address) { return MiDriverName(MiDriverSlotOf((ULONG64)Address)); }

/* IRQL <= DISPATCH_LEVEL. Whether Driver Verifier checks the driver: here every driver is
 * verified when any I/O or IRQL checking is on (verifier=io, irql or all). */
LOGICAL MmIsDriverVerifying(struct _DRIVER_OBJECT *DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    return KiVerifierOn(VERIFIER_IO_CHECKING | VERIFIER_IRQL_CHECKING);
}
