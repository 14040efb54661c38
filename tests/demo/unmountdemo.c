/* tests/demo/unmountdemo.c - the demo's unmount: dismount through a volume handle, the volume
 * and filter devices deleted, driver pool back to zero, every IRP freed. */
#include "demo.h"
#include "../../drivers/filter/filter.h"
#include "../../drivers/fat/fsd.h"

static ULONG DemopDevices(PDRIVER_OBJECT Driver, BOOLEAN FilterVolumesOnly)
{
    ULONG n = 0;
    for (PDEVICE_OBJECT d = Driver->DeviceObject; d; d = d->NextDevice)
        n += !FilterVolumesOnly || ((PFILTER_EXTENSION)d->DeviceExtension)->IsVolume;
    return n;
}

/* Dismount through a volume handle; its close deletes the FAT volume device, and the I/O
 * manager's FastIoDetachDevice call makes the filter delete its own above it. */
VOID DemoUnmount(void)
{
    static const ULONG tags[] = { FAT_TAG_VOLUME, FAT_TAG_FCB, FAT_TAG_BUFFER, FAT_TAG_TABLE, FSD_TAG, FLT_TAG };
    PDRIVER_OBJECT fat = FatControlDevice->DriverObject;
    IO_IRP_STATISTICS irps;
    FILTER_STATS f;
    POOL_TAG_USAGE u;
    ULONG64 left = 0;

    DemoSection("Unmount: every handle is closed; FSCTL_DISMOUNT_VOLUME on a volume handle");
    DbgPrint("  before: FAT devices %u (control + volume), filter volume devices %u\n", DemopDevices(fat, FALSE),
             DemopDevices(FltDriverObject, TRUE));
    NTSTATUS s = FsDismount();
    FltGetStats(&f);
    DbgPrint("  dismount: %s; after the volume handle closed:\n", DemoStatus(s));
    DbgPrint("    FAT devices %u (\\FileSystem\\Fat only), filter volume devices %u, "
             "FastIoDetachDevice calls %llu\n", DemopDevices(fat, FALSE), DemopDevices(FltDriverObject, TRUE),
             f.VolumesDetached);
    DbgPrint("  the volume device and the filter device were %s\n",
             DemopDevices(fat, FALSE) == 1 && DemopDevices(FltDriverObject, TRUE) == 0 ? "deleted" : "NOT deleted");
    DbgPrint("\n");
    ExDumpPoolUsage();
    DbgPrint("  outstanding on the FAT and filter tags:");
    for (ULONG i = 0; i < ARRAYSIZE(tags); i++) {
        CHAR t[5] = { (CHAR)tags[i], (CHAR)(tags[i] >> 8), (CHAR)(tags[i] >> 16), (CHAR)(tags[i] >> 24), 0 };
        ExQueryPoolTagUsage(tags[i], ~0u, &u);
        DbgPrint(" %s %llu", t, u.Outstanding);
        left += u.Outstanding;
    }
    DbgPrint(" -> %s\n", left ? "LEAKED" : "all zero");
    IoQueryIrpStatistics(&irps);
    DbgPrint("  IRPs since boot: %llu allocated, %llu freed, %llu outstanding, %llu final completions\n",
             irps.Allocated, irps.Freed, irps.Outstanding, irps.FinalCompletions);
    DemoNotice(left || irps.Outstanding ? "something leaked: the counts above are not back to zero."
               : "after the unmount no FAT or filter memory and no IRP is left outstanding.");
}
