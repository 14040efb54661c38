/* io/driver.c - driver objects: creation around DriverEntry, the built-in drivers started
 * in section-name order by IoInitSystem, and unload with its checks. */
#include "iop.h"

static VOID IopDeleteDriver(PVOID Object);
OBJECT_TYPE IopDriverType = { "Driver", 'vrDI', IopDeleteDriver, NULL };
static POBJECT_TYPE IopDriverTypePointer = &IopDriverType;
POBJECT_TYPE *IoDriverObjectType = &IopDriverTypePointer;
extern const IRQLAB_BUILTIN_DRIVER_ENTRY __kdrivers_start[], __kdrivers_end[];
extern const ULONG64 __kdriver_ranges[], __kdriver_ranges_end[];

/* A built-in driver's code is the linker's range holding its DriverEntry: registered under
 * the driver's name before DriverEntry runs, so its pool is charged to it from the start. */
static VOID IopRegisterBuiltinImage(const IRQLAB_BUILTIN_DRIVER_ENTRY *E)
{
    ULONG64 entry = (ULONG64)E->DriverEntry;
    CHAR name[32];
    ULONG i = 0;
    for (; E->Name[i] && i + 1 < sizeof(name); i++)
        name[i] = (CHAR)E->Name[i];
    name[i] = 0;
    for (const ULONG64 *r = __kdriver_ranges; r + 1 < __kdriver_ranges_end; r++)
        if (entry >= r[0] && entry < r[1])
            MmRegisterDriverImage(name, (PVOID)r[0], r[1] - r[0]);
}

/* What every MajorFunction slot holds until the driver fills it in. */
static NTSTATUS IopInvalidDeviceRequest(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
}

static VOID IopDeleteDriver(PVOID Object)
{
    PDRIVER_OBJECT d = Object;
    DbgPrint("IO: driver %s unloaded\n", IopDriverNameA(d));
}

/* PASSIVE_LEVEL. Creates \Driver\Name (or \FileSystem\Name) and runs DriverEntry; on failure
 * the object goes away again without DriverUnload, as on Windows. */
NTSTATUS IoCreateDriver(PUNICODE_STRING DriverName, PDRIVER_INITIALIZE InitializationFunction)
{
    PDRIVER_OBJECT d;
    static WCHAR regPrefix[] = L"\\Registry\\Machine\\System\\CurrentControlSet\\Services";
    UNICODE_STRING reg;
    VF_DDI_CHECK(IoCreateDriver);
    NTSTATUS st = ObCreateObject(&IopDriverType, sizeof(DRIVER_OBJECT) + sizeof(DRIVER_EXTENSION), DriverName, (PVOID *)&d);
    if (!NT_SUCCESS(st))
        return st;
    POBJECT_HEADER h = OBJECT_TO_OBJECT_HEADER(d);
    d->Type = IO_TYPE_DRIVER;
    d->Size = sizeof(DRIVER_OBJECT);
    d->DriverExtension = (PDRIVER_EXTENSION)(d + 1);
    d->DriverExtension->DriverObject = d;
    d->DriverName = h->Name;
    d->DriverInit = InitializationFunction;
    d->Flags = DRVO_BUILTIN_DRIVER;
    for (ULONG i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        d->MajorFunction[i] = IopInvalidDeviceRequest;
    st = ObInsertObjectName(d);
    if (!NT_SUCCESS(st)) {
        ObDereferenceObject(d);
        return st;
    }
    RtlInitUnicodeString(&reg, regPrefix);
    MmLoadDriverInitialization((PVOID)InitializationFunction);
    st = InitializationFunction(d, &reg);
    if (!NT_SUCCESS(st)) {
        DbgPrint("IO: DriverEntry of %s failed 0x%08x\n", IopDriverNameA(d), (ULONG)st);
        ObMakeTemporaryObject(d);
        ObDereferenceObject(d);
        return st;
    }
    /* As the loader does on Windows: #pragma alloc_text(INIT, ...) code, DriverEntry itself
     * usually, is discarded now; a driver that calls it later faults. */
    ULONG discarded = MmFreeDriverInitialization((PVOID)InitializationFunction);
    if (discarded)
        DbgPrint("IO: %s: %u page(s) of INIT code discarded after DriverEntry\n", IopDriverNameA(d), discarded);
    return st;
}

/* PASSIVE_LEVEL. Calls DriverUnload; every device must be gone afterwards. The object (and
 * so the "image") lives on while anything still references it: devices, or completion
 * routines registered with IoSetCompletionRoutineEx. */
NTSTATUS IoUnloadDriver(PDRIVER_OBJECT DriverObject)
{
    VF_DDI_CHECK(IoUnloadDriver);
    if (!DriverObject->DriverUnload || (DriverObject->Flags & DRVO_UNLOAD_INVOKED))
        return STATUS_INVALID_DEVICE_REQUEST;
    DriverObject->Flags |= DRVO_UNLOAD_INVOKED;
    DriverObject->DriverUnload(DriverObject);
    if (DriverObject->DeviceObject && IopVerifying())
        IopVerifierStop(DRIVER_VERIFIER_IOMANAGER_VIOLATION, IOV_UNLOAD_WITH_DEVICES, (ULONG_PTR)DriverObject,
                        (ULONG_PTR)DriverObject->DeviceObject, 0, DriverObject->DeviceObject,
                        (PVOID)DriverObject->DriverUnload);
    ObDereferenceObject(DriverObject);
    return STATUS_SUCCESS;
}

PDRIVER_EXTENSION IoGetDriverExtension(PDRIVER_OBJECT DriverObject) { return DriverObject->DriverExtension; }

/* PASSIVE_LEVEL, once at boot: starts the built-in drivers in their registered order. */
VOID IoInitSystem(void)
{
    IopInitializeTrace();
    for (const IRQLAB_BUILTIN_DRIVER_ENTRY *e = __kdrivers_start; e < __kdrivers_end; e++) {
        UNICODE_STRING name;
        RtlInitUnicodeString(&name, e->Name);
        IopRegisterBuiltinImage(e);
        NTSTATUS st = IoCreateDriver(&name, e->DriverEntry);
        if (!NT_SUCCESS(st))
            DbgPrint("IO: a built-in driver (entry %p) did not start (0x%08x)\n", (PVOID)e->DriverEntry, (ULONG)st);
    }
}
