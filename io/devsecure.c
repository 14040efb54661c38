/* io/devsecure.c - IoCreateDeviceSecure: the SDDL subset for device objects is parsed and
 * refused when malformed; with no security model here it is not enforced. */
#include "iop.h"
#include <wdmsec.h>

static BOOLEAN IopSddlIs(PCWSTR p, PCWSTR End, PCSTR Two)
{
    return p + 2 <= End && p[0] == (WCHAR)Two[0] && p[1] == (WCHAR)Two[1];
}

/* Access: "0x" hex digits, or a run of two-letter rights. */
static PCWSTR IopSddlAccess(PCWSTR p, PCWSTR End)
{
    static const PCSTR rights[] = { "GA", "GR", "GW", "GX", "RC", "SD", "WD", "WO" };
    if (IopSddlIs(p, End, "0x")) {
        PCWSTR q = p + 2;
        while (q < End && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') || (*q >= 'A' && *q <= 'F')))
            q++;
        return q > p + 2 ? q : NULL;
    }
    PCWSTR start = p;
    for (BOOLEAN more = TRUE; more;) {
        more = FALSE;
        for (ULONG i = 0; i < ARRAYSIZE(rights) && !more; i++)
            if (IopSddlIs(p, End, rights[i]))
                p += 2, more = TRUE;
    }
    return p > start ? p : NULL;
}

static PCWSTR IopSddlSid(PCWSTR p, PCWSTR End)
{
    static const PCSTR sids[] = { "SY", "LS", "NS", "BA", "BU", "BG", "AU", "AN", "BO", "SO", "SU", "IU", "WD",
                                  "RC" };
    for (ULONG i = 0; i < ARRAYSIZE(sids); i++)
        if (IopSddlIs(p, End, sids[i]))
            return p + 2;
    return NULL;
}

/* IRQL: any. "D:P" followed by zero or more "(A;;Access;;;SID)". */
static BOOLEAN IopIsDeviceSddl(PCUNICODE_STRING Sddl)
{
    PCWSTR p = Sddl->Buffer, end = Sddl->Buffer + Sddl->Length / sizeof(WCHAR);
    if (!p || end - p < 3 || p[0] != 'D' || p[1] != ':' || p[2] != 'P')
        return FALSE;
    for (p += 3; p < end;) {
        if (end - p < 5 || p[0] != '(' || p[1] != 'A' || p[2] != ';' || p[3] != ';')
            return FALSE;
        if (!(p = IopSddlAccess(p + 4, end)) || end - p < 3 || p[0] != ';' || p[1] != ';' || p[2] != ';')
            return FALSE;
        if (!(p = IopSddlSid(p + 3, end)) || p >= end || *p != ')')
            return FALSE;
        p++;
    }
    return TRUE;
}

/* PASSIVE_LEVEL (rule IrqlIoPassive1). */
NTSTATUS IoCreateDeviceSecure(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize, PUNICODE_STRING DeviceName,
                              DEVICE_TYPE DeviceType, ULONG DeviceCharacteristics, BOOLEAN Exclusive,
                              PCUNICODE_STRING DefaultSDDLString, LPCGUID DeviceClassGuid,
                              PDEVICE_OBJECT *DeviceObject)
{
    VF_DDI_CHECK(IoCreateDeviceSecure);
    UNREFERENCED_PARAMETER(DeviceClassGuid);
    if (!DefaultSDDLString || !IopIsDeviceSddl(DefaultSDDLString))
        return STATUS_INVALID_PARAMETER;
    return IoCreateDevice(DriverObject, DeviceExtensionSize, DeviceName, DeviceType, DeviceCharacteristics, Exclusive,
                          DeviceObject);
}
