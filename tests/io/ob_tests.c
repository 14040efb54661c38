/* tests/io/ob_tests.c - objects and files: names, reference counts, device stacks, handles,
 * the Zw calls (buffered, direct, pended), built-in driver order, mount, MDLs, interrupts. */
#include "kt_io.h"

/* Two built-in drivers registered out of order in the source: the section names decide. */
static ULONG KtpBootOrder[2], KtpBootCount;
static NTSTATUS KtpBootSecond(PDRIVER_OBJECT D, PUNICODE_STRING R)
{
    UNREFERENCED_PARAMETER(D);
    KtpBootOrder[KtpBootCount++ & 1] = R && R->Length ? 2 : 0;
    return STATUS_SUCCESS;
}
static NTSTATUS KtpBootFirst(PDRIVER_OBJECT D, PUNICODE_STRING R)
{
    KtpBootOrder[KtpBootCount++ & 1] = D->Type == IO_TYPE_DRIVER && R ? 1 : 0;
    return STATUS_SUCCESS;
}
IRQLAB_BUILTIN_DRIVER(91, L"\\Driver\\KtBootSecond", KtpBootSecond);
IRQLAB_BUILTIN_DRIVER(90, L"\\Driver\\KtBootFirst", KtpBootFirst);

KTEST(ob, builtin_drivers_start_in_section_order)
{
    UNICODE_STRING n = RTL_CONSTANT_STRING(L"\\Driver\\KtBootFirst");
    PDRIVER_OBJECT d;
    KT_EQ(KtpBootCount, 2);
    KT_EQ(KtpBootOrder[0], 1);
    KT_EQ(KtpBootOrder[1], 2);
    KT_STATUS(ObReferenceObjectByName(&n, 0, NULL, 0, *IoDriverObjectType, KernelMode, NULL, (PVOID *)&d), STATUS_SUCCESS);
    KT_ASSERT(RtlEqualUnicodeString(&d->DriverName, &n, FALSE));
    KT_ASSERT(d->DriverInit == KtpBootFirst);
    ObDereferenceObject(d);
}

KTEST(ob, named_device_lookup_collision_and_delete)
{
    UNICODE_STRING n = RTL_CONSTANT_STRING(L"\\Device\\KtNamed");
    UNICODE_STRING lower = RTL_CONSTANT_STRING(L"\\DEVICE\\ktnamed");
    PDEVICE_OBJECT d = KtIoCreateDevice(L"\\Device\\KtNamed", 0), d2, found;
    KT_ASSERT(d && (d->Flags & DO_DEVICE_HAS_NAME));
    KT_EQ(d->Type, IO_TYPE_DEVICE);
    KT_EQ(d->StackSize, 1);
    KT_EQ(d->DriverObject, KtIoDriver());
    KT_STATUS(IoCreateDevice(KtIoDriver(), 0, &n, FILE_DEVICE_UNKNOWN, 0, FALSE, &d2), STATUS_OBJECT_NAME_COLLISION);
    KT_STATUS(ObReferenceObjectByName(&lower, 0, NULL, 0, *IoDeviceObjectType, KernelMode, NULL, (PVOID *)&found),
              STATUS_SUCCESS);
    KT_EQ(found, d);
    ObDereferenceObject(found);
    KT_STATUS(ObReferenceObjectByName(&n, 0, NULL, 0, *IoDriverObjectType, KernelMode, NULL, (PVOID *)&found),
              STATUS_OBJECT_TYPE_MISMATCH);
    LONG refs = ObGetObjectPointerCount(d);
    ObReferenceObject(d);
    KT_EQ(ObGetObjectPointerCount(d), refs + 1);
    IoDeleteDevice(d); /* the name goes now, the object when we let go */
    KT_STATUS(ObReferenceObjectByName(&n, 0, NULL, 0, NULL, KernelMode, NULL, (PVOID *)&found), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_EQ(ObGetObjectPointerCount(d), refs);
    KT_EQ(d->Type, IO_TYPE_DEVICE);
    LONG drvRefs = ObGetObjectPointerCount(KtIoDriver());
    ObDereferenceObject(d);
    KT_EQ(ObGetObjectPointerCount(KtIoDriver()), drvRefs - 1); /* the device's reference on its driver */
}

KTEST(ob, query_name_string)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(L"\\Device\\KtQuery", 0);
    UCHAR buf[128];
    POBJECT_NAME_INFORMATION info = (POBJECT_NAME_INFORMATION)buf;
    ULONG len = 0;
    UNICODE_STRING want = RTL_CONSTANT_STRING(L"\\Device\\KtQuery");
    KT_STATUS(ObQueryNameString(d, info, 8, &len), STATUS_INFO_LENGTH_MISMATCH);
    KT_EQ(len, sizeof(OBJECT_NAME_INFORMATION) + want.Length + 2);
    KT_STATUS(ObQueryNameString(d, info, sizeof(buf), &len), STATUS_SUCCESS);
    KT_ASSERT(RtlEqualUnicodeString(&info->Name, &want, FALSE));
    PDEVICE_OBJECT anon = KtIoCreateDevice(NULL, 0);
    KT_STATUS(ObQueryNameString(anon, info, sizeof(buf), &len), STATUS_SUCCESS);
    KT_EQ(info->Name.Length, 0);
    IoDeleteDevice(anon);
    IoDeleteDevice(d);
}

KTEST(ob, attach_detach_and_stack_queries)
{
    PDEVICE_OBJECT d[3];
    KtIoBuildStack(3, d);
    KT_EQ(d[0]->AttachedDevice, d[1]);
    KT_EQ(d[1]->AttachedDevice, d[2]);
    KT_EQ(d[2]->StackSize, 3);
    KT_EQ(IoGetAttachedDevice(d[0]), d[2]);
    LONG refs = ObGetObjectPointerCount(d[2]);
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(d[0]);
    KT_EQ(top, d[2]);
    KT_EQ(ObGetObjectPointerCount(d[2]), refs + 1);
    ObDereferenceObject(top);
    PDEVICE_OBJECT low = IoGetLowerDeviceObject(d[2]);
    KT_EQ(low, d[1]);
    ObDereferenceObject(low);
    KT_EQ(IoGetLowerDeviceObject(d[0]), NULL);
    /* attaching to the bottom lands on the top */
    PDEVICE_OBJECT extra = KtIoCreateDevice(NULL, 0), to;
    KT_STATUS(IoAttachDeviceToDeviceStackSafe(extra, d[0], &to), STATUS_SUCCESS);
    KT_EQ(to, d[2]);
    KT_EQ(extra->StackSize, 4);
    IoDetachDevice(d[2]);
    KT_EQ(d[2]->AttachedDevice, NULL);
    IoDeleteDevice(extra);
    KtIoDestroyStack(3, d);
}

/* ---- Files through the Zw calls ---- */
static NTSTATUS KtpOpen(PCWSTR Name, PHANDLE H, PIO_STATUS_BLOCK Iosb)
{
    UNICODE_STRING n;
    OBJECT_ATTRIBUTES oa;
    RtlInitUnicodeString(&n, Name);
    InitializeObjectAttributes(&oa, &n, OBJ_KERNEL_HANDLE, NULL, NULL);
    return ZwCreateFile(H, GENERIC_READ | GENERIC_WRITE, &oa, Iosb, NULL, 0, FILE_SHARE_READ, FILE_OPEN,
                        FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0);
}

KTEST(ob, create_read_close_buffered_with_cleanup_and_close_irps)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(L"\\Device\\KtFileBuf", DO_BUFFERED_IO);
    HANDLE h;
    IO_STATUS_BLOCK iosb;
    UCHAR data[40];
    KtExt(d)->FillByte = 0x30;
    KT_STATUS(KtpOpen(L"\\Device\\KtFileBuf", &h, &iosb), STATUS_SUCCESS);
    KT_EQ(KtExt(d)->Creates, 1);
    KT_EQ(d->ReferenceCount, 1);
    PFILE_OBJECT f;
    KT_STATUS(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, (PVOID *)&f, NULL), STATUS_SUCCESS);
    KT_EQ(f->DeviceObject, d);
    KT_ASSERT(f->Flags & FO_SYNCHRONOUS_IO);
    PVOID wrong;
    KT_STATUS(ObReferenceObjectByHandle(h, 0, *IoDeviceObjectType, KernelMode, &wrong, NULL), STATUS_OBJECT_TYPE_MISMATCH);
    ObDereferenceObject(f);
    RtlZeroMemory(data, sizeof(data));
    KT_STATUS(ZwReadFile(h, NULL, NULL, NULL, &iosb, data, sizeof(data), NULL, NULL), STATUS_SUCCESS);
    KT_EQ(iosb.Information, sizeof(data));
    for (ULONG i = 0; i < sizeof(data); i++)
        KT_EQ(data[i], 0x30 + i); /* copied back from the system buffer */
    KT_STATUS(ZwClose(h), STATUS_SUCCESS);
    KT_EQ(KtExt(d)->Cleanups, 1);
    KT_EQ(KtExt(d)->Closes, 1);
    KT_EQ(d->ReferenceCount, 0);
    KT_STATUS(ZwClose(h), STATUS_INVALID_HANDLE);
    KT_STATUS(ZwClose((HANDLE)3), STATUS_INVALID_HANDLE);
    IoDeleteDevice(d);
}

KTEST(ob, read_direct_io_pended_until_interrupt)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(L"\\Device\\KtFileDir", DO_DIRECT_IO);
    HANDLE h;
    IO_STATUS_BLOCK iosb = { 0 };
    UCHAR *data = ExAllocatePoolWithTag(NonPagedPool, 3 * PAGE_SIZE, 'tseT');
    KT_STATUS(KtpOpen(L"\\Device\\KtFileDir", &h, &iosb), STATUS_SUCCESS);
    KtExt(d)->FillByte = 0x11;
    KtExt(d)->Pend = TRUE;
    KtExt(d)->CompleteStatus = STATUS_BUFFER_OVERFLOW;
    ULONG dpcs = KtDpcCount;
    /* spans pages: the MDL describes each */
    KT_STATUS(ZwReadFile(h, NULL, NULL, NULL, &iosb, data + 100, 2 * PAGE_SIZE, NULL, NULL), STATUS_BUFFER_OVERFLOW);
    KT_EQ(KtDpcCount, dpcs + 1);
    KT_STATUS(iosb.Status, STATUS_BUFFER_OVERFLOW);
    KT_EQ(data[100], 0x11);
    KT_EQ(data[100 + 2 * PAGE_SIZE - 1], (UCHAR)(0x11 + 2 * PAGE_SIZE - 1));
    KtExt(d)->Pend = FALSE;
    KtExt(d)->CompleteStatus = STATUS_SUCCESS;
    KT_STATUS(ZwClose(h), STATUS_SUCCESS);
    ExFreePool(data);
    IoDeleteDevice(d);
}

KTEST(ob, failed_create_sends_no_cleanup_or_close)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(L"\\Device\\KtFileFail", 0);
    HANDLE h = NULL;
    IO_STATUS_BLOCK iosb = { .Status = 0x99 };
    KtExt(d)->CompleteStatus = STATUS_ACCESS_DENIED;
    KT_STATUS(KtpOpen(L"\\Device\\KtFileFail", &h, &iosb), STATUS_ACCESS_DENIED);
    KT_EQ(iosb.Status, 0x99);
    KT_EQ(h, NULL);
    KT_EQ(KtExt(d)->Creates, 1);
    KT_EQ(KtExt(d)->Cleanups + KtExt(d)->Closes, 0);
    KT_STATUS(KtpOpen(L"\\Device\\NoSuchDevice", &h, &iosb), STATUS_OBJECT_NAME_NOT_FOUND);
    KT_STATUS(KtpOpen(L"NoBackslash", &h, &iosb), STATUS_OBJECT_PATH_SYNTAX_BAD);
    IoDeleteDevice(d);
}

KTEST(ob, ioctl_query_set_flush_reach_the_top_of_the_stack)
{
    PDEVICE_OBJECT d[2];
    HANDLE h;
    IO_STATUS_BLOCK iosb;
    UCHAR in[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, out[16];
    FILE_POSITION_INFORMATION pos = { { .QuadPart = 5 } };
    UNICODE_STRING n = RTL_CONSTANT_STRING(L"\\Device\\KtStack");
    KtIoBuildStack(2, d);
    PDEVICE_OBJECT named;
    KT_STATUS(IoCreateDevice(KtIoDriver(), sizeof(KT_EXT), &n, FILE_DEVICE_UNKNOWN, 0, FALSE, &named), STATUS_SUCCESS);
    /* open the named bottom; requests go to whatever is attached on top */
    RtlCopyMemory(named->DeviceExtension, d[0]->DeviceExtension, sizeof(KT_EXT));
    KtExt(named)->Self = named;
    named->Flags &= ~DO_DEVICE_INITIALIZING;
    PDEVICE_OBJECT filter = KtIoCreateDevice(NULL, 0);
    KtExt(filter)->Lower = IoAttachDeviceToDeviceStack(filter, named);
    KtExt(filter)->SetRoutine = TRUE;
    KtExt(filter)->MarkInRoutine = TRUE;
    KtExt(filter)->Index = 9;
    KT_STATUS(KtpOpen(L"\\Device\\KtStack", &h, &iosb), STATUS_SUCCESS);
    ULONG seq = IoGetIrpTraceSequence();
    KtLogReset();
    KT_STATUS(ZwDeviceIoControlFile(h, NULL, NULL, NULL, &iosb, IOCTL_DISK_GET_LENGTH_INFO, in, sizeof(in), out,
                                    sizeof(out)), STATUS_SUCCESS);
    KT_STATUS(ZwFsControlFile(h, NULL, NULL, NULL, &iosb, FSCTL_IS_VOLUME_MOUNTED, NULL, 0, NULL, 0), STATUS_SUCCESS);
    KT_STATUS(ZwSetInformationFile(h, &iosb, &pos, sizeof(pos), FilePositionInformation), STATUS_SUCCESS);
    KT_STATUS(ZwQueryInformationFile(h, &iosb, &pos, sizeof(pos), FilePositionInformation), STATUS_SUCCESS);
    KT_STATUS(ZwQueryDirectoryFile(h, NULL, NULL, NULL, &iosb, out, sizeof(out), FileNamesInformation, TRUE, NULL, TRUE),
              STATUS_SUCCESS);
    KT_STATUS(ZwFlushBuffersFile(h, &iosb), STATUS_SUCCESS);
    KT_EQ(KtLogCount, 6); /* every request passed the filter on top */
    IO_TRACE_RECORD r[32];
    ULONG cnt = IoQueryIrpTrace(NULL, seq, r, 32), k = 0;
    static const UCHAR majors[] = { IRP_MJ_DEVICE_CONTROL, IRP_MJ_FILE_SYSTEM_CONTROL, IRP_MJ_SET_INFORMATION,
                                    IRP_MJ_QUERY_INFORMATION, IRP_MJ_DIRECTORY_CONTROL, IRP_MJ_FLUSH_BUFFERS };
    for (ULONG i = 0; i < cnt; i++)
        if (r[i].Kind == IO_TRACE_DISPATCH && r[i].DeviceObject == filter)
            KT_EQ(r[i].MajorFunction, majors[k++]);
    KT_EQ(k, 6);
    KT_STATUS(ZwClose(h), STATUS_SUCCESS);
    IoDetachDevice(named);
    IoDeleteDevice(filter);
    IoDeleteDevice(named);
    KtIoDestroyStack(2, d);
}

KTEST(ob, get_device_object_pointer_returns_top_and_file)
{
    PDEVICE_OBJECT bottom = KtIoCreateDevice(L"\\Device\\KtGdop", 0), top = KtIoCreateDevice(NULL, 0);
    UNICODE_STRING n = RTL_CONSTANT_STRING(L"\\Device\\KtGdop");
    PFILE_OBJECT f;
    PDEVICE_OBJECT d;
    KtExt(top)->Lower = IoAttachDeviceToDeviceStack(top, bottom);
    KT_STATUS(IoGetDeviceObjectPointer(&n, FILE_READ_DATA, &f, &d), STATUS_SUCCESS);
    KT_EQ(d, top);
    KT_EQ(f->DeviceObject, bottom);
    KT_EQ(IoGetRelatedDeviceObject(f), top);
    KT_EQ(KtExt(bottom)->Creates, 1);
    ObDereferenceObject(f);
    KT_EQ(KtExt(bottom)->Closes, 1);
    IoDetachDevice(bottom);
    IoDeleteDevice(top);
    IoDeleteDevice(bottom);
}

/* ---- A file system mounting a volume on a disk device ---- */
static PDEVICE_OBJECT KtpFsVolume;
static UNICODE_STRING KtpFsSeenName;
static WCHAR KtpFsNameBuf[64];
static NTSTATUS KtpFsDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS st = STATUS_SUCCESS;
    if (sp->MajorFunction == IRP_MJ_FILE_SYSTEM_CONTROL && sp->MinorFunction == IRP_MN_MOUNT_VOLUME) {
        PVPB vpb = sp->Parameters.MountVolume.Vpb;
        st = IoCreateDevice(DeviceObject->DriverObject, sizeof(KT_EXT), NULL, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE,
                            &KtpFsVolume);
        if (NT_SUCCESS(st)) {
            KtpFsVolume->Flags &= ~DO_DEVICE_INITIALIZING;
            KtpFsVolume->StackSize = sp->Parameters.MountVolume.DeviceObject->StackSize + 1;
            vpb->DeviceObject = KtpFsVolume;
        }
    } else if (sp->MajorFunction == IRP_MJ_CREATE) {
        KtpFsSeenName.Buffer = KtpFsNameBuf;
        KtpFsSeenName.Length = sp->FileObject->FileName.Length;
        RtlCopyMemory(KtpFsNameBuf, sp->FileObject->FileName.Buffer, KtpFsSeenName.Length);
        if (DeviceObject != KtpFsVolume)
            st = STATUS_INVALID_DEVICE_REQUEST;
    }
    Irp->IoStatus.Status = st;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return st;
}

KTEST(ob, open_path_mounts_registered_file_system)
{
    UNICODE_STRING cdoName = RTL_CONSTANT_STRING(L"\\FileSystem\\KtFs"), disk = RTL_CONSTANT_STRING(L"\\Device\\KtDisk0");
    PDRIVER_OBJECT fsd = KtIoCreateDriver(L"\\FileSystem\\KtFsDriver", KtpFsDispatch);
    PDEVICE_OBJECT cdo, dsk;
    HANDLE h;
    IO_STATUS_BLOCK iosb;
    KT_STATUS(IoCreateDevice(fsd, 0, &cdoName, FILE_DEVICE_DISK_FILE_SYSTEM, 0, FALSE, &cdo), STATUS_SUCCESS);
    cdo->Flags &= ~DO_DEVICE_INITIALIZING;
    IoRegisterFileSystem(cdo);
    KT_STATUS(IoCreateDevice(KtIoDriver(), sizeof(KT_EXT), &disk, FILE_DEVICE_DISK, 0, FALSE, &dsk), STATUS_SUCCESS);
    RtlZeroMemory(dsk->DeviceExtension, sizeof(KT_EXT));
    dsk->Flags &= ~DO_DEVICE_INITIALIZING;
    KT_ASSERT(dsk->Vpb && dsk->Vpb->RealDevice == dsk);
    KT_EQ(dsk->Vpb->Flags & VPB_MOUNTED, 0);
    KT_STATUS(KtpOpen(L"\\Device\\KtDisk0\\dir\\file.txt", &h, &iosb), STATUS_SUCCESS);
    KT_ASSERT(dsk->Vpb->Flags & VPB_MOUNTED);
    KT_EQ(dsk->Vpb->DeviceObject, KtpFsVolume);
    UNICODE_STRING want = RTL_CONSTANT_STRING(L"\\dir\\file.txt");
    KT_ASSERT(RtlEqualUnicodeString(&KtpFsSeenName, &want, FALSE));
    UCHAR buf[96];
    ULONG len;
    PFILE_OBJECT f;
    KT_STATUS(ObReferenceObjectByHandle(h, 0, *IoFileObjectType, KernelMode, (PVOID *)&f, NULL), STATUS_SUCCESS);
    KT_STATUS(ObQueryNameString(f, (POBJECT_NAME_INFORMATION)buf, sizeof(buf), &len), STATUS_SUCCESS);
    UNICODE_STRING full = RTL_CONSTANT_STRING(L"\\Device\\KtDisk0\\dir\\file.txt");
    KT_ASSERT(RtlEqualUnicodeString(&((POBJECT_NAME_INFORMATION)buf)->Name, &full, TRUE));
    ObDereferenceObject(f);
    KT_EQ(KtExt(dsk)->Creates, 0); /* the create went to the volume, not the disk */
    KT_STATUS(ZwClose(h), STATUS_SUCCESS);
    IoUnregisterFileSystem(cdo);
}

/* ---- MDLs ---- */
/* IoAllocateMdl's documented maximum (Windows 7 and later) is 4 GB - PAGE_SIZE: one byte more
 * fails; a 40 MiB MDL (its CSHORT Size truncated, as on Windows) still describes every page. */
KTEST(ob, mdl_longer_than_the_documented_maximum_is_refused)
{
    PVOID va = (PVOID)0xFFFFA80000000000ULL;
    PIRP irp = IoAllocateIrp(1, FALSE);
    KT_ASSERT(irp);
    KT_ASSERT(IoAllocateMdl(va, 0xFFFFFFFFUL - PAGE_SIZE + 2, FALSE, FALSE, irp) == NULL);
    KT_ASSERT(IoAllocateMdl(va, 0xFFFFFFFFUL, FALSE, FALSE, irp) == NULL);
    KT_ASSERT(irp->MdlAddress == NULL); /* a refused MDL is not linked to the IRP */
    IoFreeIrp(irp);
    PMDL m = IoAllocateMdl(va, 40 << 20, FALSE, FALSE, NULL);
    KT_ASSERT(m);
    KT_EQ(MmGetMdlByteCount(m), 40u << 20);
    KT_EQ(ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(m), MmGetMdlByteCount(m)), (40u << 20) / PAGE_SIZE);
    IoFreeMdl(m);
}

KTEST(ob, mdl_describes_nonpaged_buffer)
{
    PUCHAR p = ExAllocatePoolWithTag(NonPagedPool, 2 * PAGE_SIZE, 'tseT');
    PUCHAR va = p + 0x123;
    PMDL m = IoAllocateMdl(va, PAGE_SIZE, FALSE, FALSE, NULL);
    KT_ASSERT(m);
    KT_EQ(MmGetMdlByteCount(m), PAGE_SIZE);
    KT_EQ(MmGetMdlByteOffset(m), ((ULONG_PTR)va) & 0xFFF);
    KT_EQ(MmGetMdlVirtualAddress(m), va);
    MmBuildMdlForNonPagedPool(m);
    KT_ASSERT(m->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL);
    KT_EQ(MmGetSystemAddressForMdlSafe(m, NormalPagePriority), va);
    /* the frames are the buffer's: through the direct map they reach the same bytes */
    PPFN_NUMBER pfn = MmGetMdlPfnArray(m);
    va[0] = 0xA5;
    KT_EQ(*((PUCHAR)(0xFFFF800000000000ULL + (pfn[0] << PAGE_SHIFT)) + MmGetMdlByteOffset(m)), 0xA5);
    IoFreeMdl(m);
    m = IoAllocateMdl(va, PAGE_SIZE, FALSE, FALSE, NULL);
    MmProbeAndLockPages(m, KernelMode, IoWriteAccess);
    KT_ASSERT(m->MdlFlags & MDL_PAGES_LOCKED);
    PUCHAR sys = MmGetSystemAddressForMdlSafe(m, NormalPagePriority);
    KT_ASSERT(sys && (m->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA));
    sys[PAGE_SIZE - 1] = 0x5A;
    KT_EQ(va[PAGE_SIZE - 1], 0x5A);
    MmUnlockPages(m);
    KT_EQ(m->MdlFlags & (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA), 0);
    IoFreeMdl(m);
    ExFreePool(p);
}

KTEST(ob, connect_interrupt_checks_vector_class)
{
    PKINTERRUPT i;
    KT_STATUS(IoConnectInterrupt(&i, NULL, NULL, NULL, 0x53, 6, 6, Latched, FALSE, 1, FALSE), STATUS_INVALID_PARAMETER);
    KtIoDriver(); /* its interrupt is connected: the vector is taken */
    KT_STATUS(IoConnectInterrupt(&i, NULL, NULL, NULL, KT_IO_VECTOR, 6, 6, Latched, FALSE, 1, FALSE),
              STATUS_INVALID_PARAMETER);
    ULONG isr = KtIsrCount;
    KtIoRaiseInterrupt(NULL);
    KT_EQ(KtIsrCount, isr + 1);
}

/* A lookup holds its handle's entry from reading it to referencing its object, so a close on
 * another thread cannot drop the handle's reference (and free the object) in between: here
 * the test hook runs inside the lookup, starts a thread that closes the handle, and lets it
 * run for 20 ms of virtual time; the close must still be waiting when the lookup goes on. */
extern VOID (*ObpTestEntryLockedHook)(HANDLE Handle);
static HANDLE OtTarget, OtCloserThread;
static volatile LONG OtClosed, OtClosedDuringLookup = -1;
static NTSTATUS OtCloseStatus;

static VOID OtExit(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID OtCloser(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    OtCloseStatus = ZwClose(OtTarget);
    InterlockedExchange(&OtClosed, 1);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static VOID OtHoldEntry(HANDLE Handle)
{
    LARGE_INTEGER tick = { .QuadPart = -10000 }; /* 1 ms */
    UNREFERENCED_PARAMETER(Handle);
    ObpTestEntryLockedHook = NULL;
    if (!NT_SUCCESS(PsCreateSystemThread(&OtCloserThread, 0, NULL, NULL, NULL, OtCloser, NULL)))
        return;
    for (ULONG i = 0; i < 20; i++)
        KeDelayExecutionThread(KernelMode, FALSE, &tick);
    OtClosedDuringLookup = OtClosed;
}

KTEST(ob, a_close_waits_for_a_lookup_that_holds_the_handles_entry)
{
    PKTHREAD target, closer;
    LARGE_INTEGER to = { .QuadPart = -10000LL * 5000 };
    KT_STATUS(PsCreateSystemThread(&OtTarget, 0, NULL, NULL, NULL, OtExit, NULL), STATUS_SUCCESS);
    ObpTestEntryLockedHook = OtHoldEntry;
    KT_STATUS(ObReferenceObjectByHandle(OtTarget, 0, *PsThreadType, KernelMode, (PVOID *)&target, NULL), STATUS_SUCCESS);
    ObpTestEntryLockedHook = NULL;
    KT_EQ(OtClosedDuringLookup, 0);                     /* the close waited for the entry */
    KT_ASSERT(OtCloserThread != NULL);
    KT_STATUS(ObReferenceObjectByHandle(OtCloserThread, 0, *PsThreadType, KernelMode, (PVOID *)&closer, NULL),
              STATUS_SUCCESS);
    KT_STATUS(KeWaitForSingleObject(closer, Executive, KernelMode, FALSE, &to), STATUS_SUCCESS);
    KT_EQ(OtClosed, 1);                                 /* ... and then closed it */
    KT_STATUS(OtCloseStatus, STATUS_SUCCESS);
    PVOID again;
    KT_STATUS(ObReferenceObjectByHandle(OtTarget, 0, *PsThreadType, KernelMode, &again, NULL), STATUS_INVALID_HANDLE);
    KT_EQ(target->Header.Type, ThreadObject);           /* the lookup's reference kept the thread */
    ObDereferenceObject(closer);
    ObDereferenceObject(target);
    ZwClose(OtCloserThread);
}

/* The lookup runs in a critical region of its own (the kernel's inline one), so a normal
 * kernel APC queued to the thread during the lookup waits for its end, and runs as the region
 * is left, before the lookup returns to its caller. */
static KAPC OtApc;
static volatile LONG OtApcRuns, OtApcRunsInLookup = -1;
static VOID OtApcKernel(PKAPC Apc, PKNORMAL_ROUTINE *Normal, PVOID *Context, PVOID *Arg1, PVOID *Arg2)
{
    UNREFERENCED_PARAMETER(Apc);
    UNREFERENCED_PARAMETER(Normal);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
}
static VOID OtApcNormal(PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
    InterlockedIncrement(&OtApcRuns);
}
static VOID OtQueueApcInLookup(HANDLE Handle)
{
    UNREFERENCED_PARAMETER(Handle);
    ObpTestEntryLockedHook = NULL;
    KeInitializeApc(&OtApc, KeGetCurrentThread(), OriginalApcEnvironment, OtApcKernel, NULL, OtApcNormal, KernelMode,
                    NULL);
    KeInsertQueueApc(&OtApc, NULL, NULL, 0);
    OtApcRunsInLookup = OtApcRuns;
}

KTEST(ob, a_normal_apc_queued_during_a_handle_lookup_runs_as_the_lookup_ends)
{
    HANDLE th;
    PKTHREAD t;
    KT_STATUS(PsCreateSystemThread(&th, 0, NULL, NULL, NULL, OtExit, NULL), STATUS_SUCCESS);
    OtApcRuns = 0;
    ObpTestEntryLockedHook = OtQueueApcInLookup;
    KT_STATUS(ObReferenceObjectByHandle(th, 0, *PsThreadType, KernelMode, (PVOID *)&t, NULL), STATUS_SUCCESS);
    LONG after = OtApcRuns;
    ObpTestEntryLockedHook = NULL;
    KT_EQ(OtApcRunsInLookup, 0); /* held by the lookup's region */
    KT_EQ(after, 1);             /* delivered as it was left */
    ObDereferenceObject(t);
    ZwClose(th);
}
