/* tests/io/ddi_tests.c - DDI compliance checking: routines callable at APC_LEVEL are allowed
 * there, each WDM rule stops with its own 0xC4 P1, and the classic codes keep their order. */
#include "kt_io.h"

/* The rule codes as Microsoft's rule pages give them, written out here independently of the
 * kernel's table so a wrong row in the table is caught. */
static const struct { PCSTR Rule; ULONG Code; } KtpDocumentedRules[] = {
    { "IrqlDispatch", 0x00020003 },      { "IrqlExAllocatePool", 0x00020004 },
    { "IrqlExApcLte1", 0x00020005 },     { "IrqlExApcLte2", 0x00020006 },
    { "IrqlExApcLte3", 0x00020007 },     { "IrqlIoApcLte", 0x00020009 },
    { "IrqlIoPassive1", 0x0002000A },    { "IrqlIoPassive2", 0x0002000B },
    { "IrqlIoPassive3", 0x0002000C },    { "IrqlIoPassive4", 0x0002000D },
    { "IrqlIoPassive5", 0x0002000E },    { "IrqlKeApcLte2", 0x00020010 },
    { "IrqlKeDispatchLte", 0x00020011 }, { "IrqlKeReleaseSpinLock", 0x00020015 },
    { "IrqlKeSetEvent", 0x00020016 },    { "IrqlObPassive", 0x0002001B },
    { "IrqlPsPassive", 0x0002001C },     { "IrqlZwPassive", 0x0002001F },
};

KTEST(ddi, every_rule_carries_the_code_its_page_documents)
{
    KT_EQ(VfRuleCount - 1, ARRAYSIZE(KtpDocumentedRules));
    for (ULONG i = 0; i < ARRAYSIZE(KtpDocumentedRules); i++) {
        const VF_DDI_RULE *r = VfLookupDdiRule(KtpDocumentedRules[i].Code);
        KT_ASSERT(r != NULL);
        KT_EQ(strcmp(r->Name, KtpDocumentedRules[i].Rule), 0);
        /* the condition text (P2 of the stop) starts with the rule's name */
        KT_EQ(strncmp(r->Condition, r->Name, strlen(r->Name)), 0);
    }
}

static ULONG KtpRuleOf(VF_DDI_ID Id) { return VfDdiRules[VfDdiRoutines[Id].Rule].Code; }

KTEST(ddi, routines_sit_under_the_rules_their_pages_name)
{
    KT_EQ(KtpRuleOf(VfDdi_IoDeleteDevice), 0x00020009);
    KT_EQ(VfDdiRoutines[VfDdi_IoDeleteDevice].MaxIrql, APC_LEVEL);
    KT_EQ(VfDdiRoutines[VfDdi_ObQueryNameString].MaxIrql, APC_LEVEL);
    KT_EQ(KtpRuleOf(VfDdi_IoCreateDevice), 0x0002000A);
    KT_EQ(KtpRuleOf(VfDdi_IoBuildDeviceIoControlRequest), 0x0002000A);
    KT_EQ(VfDdiRoutines[VfDdi_IoBuildDeviceIoControlRequest].MaxIrql, APC_LEVEL);
    KT_EQ(KtpRuleOf(VfDdi_IoConnectInterrupt), 0x0002000B);
    KT_EQ(KtpRuleOf(VfDdi_IoDetachDevice), 0x0002000C);
    KT_EQ(KtpRuleOf(VfDdi_IoCreateSymbolicLink), 0x0002000D);
    KT_EQ(KtpRuleOf(VfDdi_IoDisconnectInterrupt), 0x0002000D);
    KT_EQ(KtpRuleOf(VfDdi_IoGetDeviceObjectPointer), 0x0002000E);
    KT_EQ(KtpRuleOf(VfDdi_KeReleaseSpinLock), 0x00020015);
    KT_EQ(VfDdiRoutines[VfDdi_KeReleaseSpinLock].MinIrql, DISPATCH_LEVEL);
    KT_EQ(KtpRuleOf(VfDdi_ExAcquireFastMutex), 0x00020005);
    KT_EQ(KtpRuleOf(VfDdi_ZwClose), 0x0002001F);
    KT_EQ(KtpRuleOf(VfDdi_IoStartNextPacket), 0x00020003);
}

KTEST(ddi, delete_device_at_apc_level_is_allowed)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\KtDdiApcDelete");
    PDEVICE_OBJECT d = KtIoCreateDevice(L"\\Device\\KtDdiApcDelete", 0);
    PVOID found = NULL;
    KT_ASSERT(d != NULL);
    KT_STATUS(ObReferenceObjectByName(&name, 0, NULL, 0, *IoDeviceObjectType, KernelMode, NULL, &found),
              STATUS_SUCCESS);
    ObDereferenceObject(found);
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    IoDeleteDevice(d);
    KeLowerIrql(old);
    /* the delete happened: the name is gone from the namespace */
    KT_STATUS(ObReferenceObjectByName(&name, 0, NULL, 0, *IoDeviceObjectType, KernelMode, NULL, &found),
              STATUS_OBJECT_NAME_NOT_FOUND);
}

KTEST(ddi, query_name_at_apc_level_is_allowed)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(L"\\Device\\KtDdiApcName", 0);
    UCHAR buf[128];
    ULONG len = 0;
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    NTSTATUS st = ObQueryNameString(d, (POBJECT_NAME_INFORMATION)buf, sizeof(buf), &len);
    KeLowerIrql(old);
    KT_STATUS(st, STATUS_SUCCESS);
    UNICODE_STRING want = RTL_CONSTANT_STRING(L"\\Device\\KtDdiApcName");
    KT_ASSERT(RtlEqualUnicodeString(&((POBJECT_NAME_INFORMATION)buf)->Name, &want, FALSE));
    IoDeleteDevice(d);
}

KTEST_BUGCHECK(ddi, create_device_at_apc_level_is_rule_irql_io_passive1, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    PDEVICE_OBJECT d;
    PDRIVER_OBJECT drv = KtIoDriver();
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    KtExpectBugCheck(0x0002000A, (ULONG_PTR)VfLookupDdiRule(0x0002000A)->Condition, (ULONG_PTR)&VfDdiViolation, 0);
    IoCreateDevice(drv, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &d);
}

KTEST_BUGCHECK(ddi, zw_close_at_apc_level_is_rule_irql_zw_passive, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    KtExpectBugCheck(0x0002001F, (ULONG_PTR)VfLookupDdiRule(0x0002001F)->Condition, (ULONG_PTR)&VfDdiViolation, 0);
    ZwClose((HANDLE)4);
}

KTEST_BUGCHECK(ddi, set_timer_above_dispatch_is_rule_irql_ke_dispatch_lte, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static KTIMER t;
    LARGE_INTEGER due = { .QuadPart = -10000 };
    KIRQL old;
    KeInitializeTimer(&t);
    KeRaiseIrql(CLOCK_LEVEL, &old);
    KtExpectBugCheck(0x00020011, (ULONG_PTR)VfLookupDdiRule(0x00020011)->Condition, (ULONG_PTR)&VfDdiViolation, 0);
    KeSetTimer(&t, due, NULL);
}

KTEST(ddi, the_violation_state_names_routine_caller_and_irql)
{
    /* what P3 points at is filled by the same path the stops take; use a routine with no rule
     * whose check returns to us only because every verifier is off for this call */
    ULONG saved = KiVerifierFlags;
    KiSetVerifierFlags(0);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    VfDdiViolationStop(VfDdi_IoDeleteDevice, DISPATCH_LEVEL, (PVOID)KeLowerIrql);
    KeLowerIrql(old);
    KiSetVerifierFlags(saved);
    KT_EQ(strcmp(VfDdiViolation.Routine, "IoDeleteDevice"), 0);
    KT_EQ(VfDdiViolation.Caller, KeLowerIrql);
    KT_EQ(VfDdiViolation.Irql, DISPATCH_LEVEL);
}

/* With DDI checking alone, routines that also have a classic code report their rule. */
KTEST_EX(ddi, release_spin_lock_at_passive_under_ddi_is_rule_irql_ke_release_spin_lock,
         DRIVER_VERIFIER_DETECTED_VIOLATION, "verifier=ddi")
{
    static KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KtExpectBugCheck(0x00020015, (ULONG_PTR)VfLookupDdiRule(0x00020015)->Condition, (ULONG_PTR)&VfDdiViolation, 0);
    KeReleaseSpinLock(&lock, PASSIVE_LEVEL);
}

KTEST_EX(ddi, fast_mutex_at_dispatch_under_ddi_is_rule_irql_ex_apc_lte1, DRIVER_VERIFIER_DETECTED_VIOLATION,
         "verifier=ddi")
{
    static FAST_MUTEX m;
    KIRQL old;
    ExInitializeFastMutex(&m);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KtExpectBugCheck(0x00020005, (ULONG_PTR)VfLookupDdiRule(0x00020005)->Condition, (ULONG_PTR)&VfDdiViolation, 0);
    ExAcquireFastMutex(&m);
}

/* With IRQL checking on as well (verifier=all), the classic 0x42 wins: P2 IRQL, P3 lock. */
KTEST_BUGCHECK(ddi, acquire_spin_lock_above_dispatch_keeps_classic_code_under_all, DRIVER_VERIFIER_DETECTED_VIOLATION)
{
    static KSPIN_LOCK lock;
    KIRQL old, ignored;
    KeInitializeSpinLock(&lock);
    KeRaiseIrql(HIGH_LEVEL, &old);
    KtExpectBugCheck(0x42, HIGH_LEVEL, (ULONG_PTR)&lock, 0);
    KeAcquireSpinLock(&lock, &ignored);
}

/* I/O verification alone: a file call above PASSIVE_LEVEL is WDM error 0x24A. */
KTEST_EX(ddi, zw_create_file_at_apc_level_under_io_verification_is_c9_24a, DRIVER_VERIFIER_IOMANAGER_VIOLATION,
         "verifier=io")
{
    UNICODE_STRING n = RTL_CONSTANT_STRING(L"\\Device\\RamDisk0");
    OBJECT_ATTRIBUTES oa;
    IO_STATUS_BLOCK iosb;
    HANDLE h;
    KIRQL old;
    InitializeObjectAttributes(&oa, &n, OBJ_KERNEL_HANDLE, NULL, NULL);
    KeRaiseIrql(APC_LEVEL, &old);
    KtExpectBugCheck(0x24A, KT_ANY, 0, 0);
    ZwCreateFile(&h, SYNCHRONIZE, &oa, &iosb, NULL, 0, 0, FILE_OPEN, 0, NULL, 0);
}

KTEST_BUGCHECK(ddi, second_delete_of_a_device_is_c9_240, DRIVER_VERIFIER_IOMANAGER_VIOLATION)
{
    PDEVICE_OBJECT d = KtIoCreateDevice(NULL, 0);
    ObReferenceObject(d); /* keep the memory, as a buggy driver's stale pointer would not */
    IoDeleteDevice(d);
    /* WDM error 0x240: P2 the caller's address, P3 no IRP, P4 the device */
    KtExpectBugCheck(0x240, KT_ANY, 0, (ULONG_PTR)d);
    IoDeleteDevice(d);
}
