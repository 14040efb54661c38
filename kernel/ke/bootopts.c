/* ke/bootopts.c - THE table of boot options: it refuses a bad command line at boot (one line
 * naming the option and what it accepts, then a failure exit) and `help` prints it as docs.
 *
 * To add an option, add one row to KiBootOptions below, with one of:
 *   KI_FLAG(name, help)                    "name" alone; "name=..." is refused
 *   KI_NUMBER(name, min, max, help)        "name=N", decimal or 0x-hex, min <= N <= max
 *   KI_WORDS(name, "a,b,c", help)          "name=w1,w2", every word one of a, b, c
 *   KI_CHOICE(name, "a,b,c", help)         "name=w", exactly one of a, b, c
 *   KI_CHECK(name, check, accepted, help)  check(value) decides; value is NULL for bare "name";
 *                                          accepted says in words what passes, for the message
 * then read the option where it is used with KiGetBootOption / KiBootOptionPresent /
 * KiGetBootOptionNumber / KiBootOptionHasWord (ke/cmdline.c), and add a README row
 * (tests/host/boot_options.sh checks that every row here has one). */
#include "ki.h"
#include "../hal/hal.h"

typedef enum { KipFlag, KipNumber, KipWords, KipChoice, KipCheck } KIP_OPTION_KIND;

typedef struct _KI_BOOT_OPTION {
    PCSTR Name;
    KIP_OPTION_KIND Kind;
    ULONG64 Min, Max;                /* KipNumber */
    PCSTR Words;                     /* KipWords, KipChoice: comma-separated */
    BOOLEAN (*Check)(PCSTR Value);   /* KipCheck; Value ends at a space or NUL */
    PCSTR Accepted;                  /* KipCheck: what passes, in words */
    PCSTR Help;
} KI_BOOT_OPTION;

#define KI_FLAG(n, h) { n, KipFlag, 0, 0, NULL, NULL, NULL, h }
#define KI_NUMBER(n, lo, hi, h) { n, KipNumber, lo, hi, NULL, NULL, NULL, h }
#define KI_WORDS(n, w, h) { n, KipWords, 0, 0, w, NULL, NULL, h }
#define KI_CHOICE(n, w, h) { n, KipChoice, 0, 0, w, NULL, NULL, h }
#define KI_CHECK(n, f, a, h) { n, KipCheck, 0, 0, NULL, f, a, h }

BOOLEAN KtIsValidSelection(PCSTR Value);      /* tests/ktest.c */
BOOLEAN KtIsValidBenchSelection(PCSTR Value); /* tests/ktest.c */
BOOLEAN VfIsValidSpec(PCSTR Value);           /* kernel/vf/vfinit.c */
BOOLEAN ExpIsValidOptions(PCSTR Value);       /* tests/experiment/fsstress.c */
static BOOLEAN KipIsPoolTag(PCSTR Value);
static BOOLEAN KipIsNothing(PCSTR Value) { return Value == NULL; }

static const KI_BOOT_OPTION KiBootOptions[] = {
    KI_CHECK("help", KipIsNothing, "no value", "print this table and stop"),
    KI_CHECK("ktest", KtIsValidSelection, "list, all, a suite name or SUITE.NAME (see ktest=list)",
             "run tests, KTAP output; list prints the catalogue"),
    KI_CHECK("kbench", KtIsValidBenchSelection, "no value, all or a benchmark name",
             "run benchmarks, print BENCH name ops ticks lines"),
    KI_WORDS("verifier", "all,none,irql,io,trim,special,pool,ddi,deadlock",
             "Driver Verifier checks, comma-separated (test boots use all)"),
    KI_NUMBER("deadline", 1, 86400,
              "end the boot (QEMU status 39) once it has run S seconds of guest time: hang detection in virtual time"),
    KI_NUMBER("hz", 10, 10000, "clock interrupt rate in Hz (default 1000)"),
    KI_NUMBER("quantum", 1, 1000, "scheduler quantum in clock ticks (default 2)"),
    KI_CHOICE("threadeddpc", "on,off",
              "threaded DPCs (default on): off runs them as ordinary DPCs, as Windows with ThreadDpcEnable 0"),
    KI_NUMBER("dpcwatchdogperiod", 0, 600000,
              "DPC watchdog period: a processor at DISPATCH_LEVEL or above for MS milliseconds stops with 0x133 P1 1 (default 120000, 0: off)"),
    KI_NUMBER("dpcwatchdog", 0, 600000,
              "DPC watchdog: a DPC running longer than MS milliseconds stops with 0x133 (default 20000, 0: off)"),
    KI_FLAG("ramdisk.sync", "the RAM disk completes in its dispatch routine (PASSIVE_LEVEL), no interrupt"),
    KI_FLAG("ramdisk.exporttrim", "the disk export leaves out the all-zero 64 KiB chunks at the end"),
    KI_NUMBER("ramdisk.latency", 0, 50000,
              "the disk interrupt comes from the PIT through the I/O APIC after N us (0, the default: a self-IPI)"),
    KI_CHECK("specialpool", KipIsPoolTag, "all or a pool tag of 1 to 4 characters",
             "special pool: allocations end at a guard page"),
    KI_NUMBER("mmwslimit", 0, 4096, "working-set limit in pages for pageable memory (0: none)"),
    KI_FLAG("irqltrim", "trim pageable memory on every raise to DISPATCH_LEVEL (on with verifier=all)"),
    KI_CHECK("fault", VfIsValidSpec,
             "rules class:key=value,... joined by / (classes lowres, pending, disk, powercut, cancel, delay; docs/fault-injection.md)",
             "fault injection (kernel/vf), armed once the drivers are loaded, or by the experiment after its setup"),
    KI_CHECK("experiment", ExpIsValidOptions, "fsstress,ops=N,seed=S[,plant=corrupt|hang|bugcheck]",
             "run the fsstress workload with its oracle and print EXPERIMENT-RESULT (tools/campaign.py boots it)"),
    KI_NUMBER("fsexpect", 0, 0xFFFFFFFF, "test-only: the NTSTATUS fshost.damaged_image_is_refused_cleanly expects"),
    KI_NUMBER("rncut", 1, 64, "test-only: fsfault.rename_with_the_power_cut_after_its_kth_write cuts after this write"),
    KI_FLAG("rnlong", "test-only: that test renames a long name (the three-step move) instead of an 8.3 one"),
    KI_FLAG("kd", "a kernel debugger is attached: a breakpoint stops in the gdb stub instead of bug-checking"),
    KI_CHOICE("console", "80,100", "columns the demo lays its IRP trace out for (default 100; make run DISPLAY=1 gives 80)"),
    KI_CHOICE("debug", "break", "break: a bug check stops in the debugger (KdBugCheckBreak) after the stop report"),
    KI_WORDS("dbgprint", "all", "DbgPrintEx filter: all passes every level (default: errors only)"),
    KI_CHOICE("iotrace", "on,off", "the IRP trace ring (default on); off: nothing recorded, IoCallDriver inline (make bench)"),
    KI_NUMBER("cclazydelay", 1, 600000, "lazy writer delay in ms before dirty cached data is written (default 1000)"),
    KI_NUMBER("ccwslimit", 16, 0x400000, "pages the cache manager may keep resident (default a quarter of memory)"),
    KI_NUMBER("numproc", 1, 8, "start at most N processors of those the MADT lists (default all)"),
    KI_NUMBER("smp", 1, 8, "the test runner's mark for a boot with N processors (QEMU -smp N); the kernel ignores it"),
    KI_NUMBER("ramdisk.cpu", 0, 7, "the RAM disk interrupts processor N, whichever processor sent the request"),
    KI_NUMBER("ramdisk.batch", 1, 64, "the RAM disk's controller completes up to N queued commands with one interrupt"),
    KI_FLAG("fsnocache", "test-only: the fs suite opens every file with FILE_NO_INTERMEDIATE_BUFFERING"),
};

static SIZE_T KipWordLength(PCSTR p, CHAR Stop)
{
    SIZE_T n = 0;
    while (p[n] && p[n] != ' ' && p[n] != Stop)
        n++;
    return n;
}

static BOOLEAN KipIsPoolTag(PCSTR Value)
{
    SIZE_T n = Value ? KipWordLength(Value, ' ') : 0;
    return n >= 1 && n <= 4;
}

/* Word (length n) is one of the comma-separated List. */
static BOOLEAN KipInList(PCSTR List, PCSTR Word, SIZE_T n)
{
    while (*List) {
        SIZE_T m = KipWordLength(List, ',');
        if (m == n && n && strncmp(List, Word, n) == 0)
            return TRUE;
        List += m;
        if (*List == ',')
            List++;
    }
    return FALSE;
}

static BOOLEAN KipParseNumber(PCSTR p, ULONG64 *Value)
{
    ULONG64 v = 0, base = 10;
    if (!p || !*p || *p == ' ')
        return FALSE;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        base = 16, p += 2;
    if (!*p || *p == ' ')
        return FALSE;
    for (; *p && *p != ' '; p++) {
        ULONG d = (*p >= '0' && *p <= '9') ? (ULONG)(*p - '0')
                : (*p >= 'a' && *p <= 'f') ? (ULONG)(*p - 'a' + 10)
                : (*p >= 'A' && *p <= 'F') ? (ULONG)(*p - 'A' + 10) : 99;
        if (d >= base || v > (~0ULL - d) / base)
            return FALSE;
        v = v * base + d;
    }
    *Value = v;
    return TRUE;
}

/* IRQL: any. The number after "Name=", or Default when the option is absent or malformed
 * (KiValidateBootOptions has refused malformed ones before anyone asks). */
ULONG64 KiGetBootOptionNumber(PCSTR Name, ULONG64 Default)
{
    ULONG64 v;
    return KipParseNumber(KiGetBootOption(Name), &v) ? v : Default;
}

static BOOLEAN KipValueOk(const KI_BOOT_OPTION *o, PCSTR Value)
{
    ULONG64 v;
    switch (o->Kind) {
    case KipFlag:
        return Value == NULL;
    case KipNumber:
        return KipParseNumber(Value, &v) && v >= o->Min && v <= o->Max;
    case KipChoice:
        return Value && KipInList(o->Words, Value, KipWordLength(Value, ' '));
    case KipWords:
        if (!Value)
            return FALSE;
        for (;;) {
            SIZE_T n = KipWordLength(Value, ',');
            if (!KipInList(o->Words, Value, n))
                return FALSE;
            Value += n;
            if (*Value != ',')
                return TRUE;
            Value++;
        }
    case KipCheck:
        return o->Check(Value);
    }
    return FALSE;
}

static VOID KipAccepted(const KI_BOOT_OPTION *o, PCHAR Buf, SIZE_T Size)
{
    switch (o->Kind) {
    case KipFlag:
        RtlStringCbPrintfA(Buf, Size, "no value (just \"%s\")", o->Name);
        break;
    case KipNumber:
        RtlStringCbPrintfA(Buf, Size, "a number from %llu to %llu", o->Min, o->Max);
        break;
    case KipChoice:
        RtlStringCbPrintfA(Buf, Size, "one of %s", o->Words);
        break;
    case KipWords:
        RtlStringCbPrintfA(Buf, Size, "comma-separated words from %s", o->Words);
        break;
    case KipCheck:
        RtlStringCbPrintfA(Buf, Size, "%s", o->Accepted);
        break;
    }
}

static VOID KipPrintTable(void)
{
    char accepted[160];
    DbgPrint("Boot options (name: accepted values: meaning):\n");
    for (ULONG i = 0; i < ARRAYSIZE(KiBootOptions); i++) {
        KipAccepted(&KiBootOptions[i], accepted, sizeof(accepted));
        DbgPrint("BOOT-OPTION %s: %s: %s\n", KiBootOptions[i].Name, accepted, KiBootOptions[i].Help);
    }
}

static __attribute__((noreturn)) VOID KipRefuse(PCSTR Word, SIZE_T Length, PCSTR Why)
{
    char word[96];
    SIZE_T n = Length < sizeof(word) - 1 ? Length : sizeof(word) - 1;
    RtlCopyMemory(word, Word, n);
    word[n] = 0;
    DbgPrint("bad boot option '%s': %s\n", word, Why);
    HalExitEmulator(HAL_EXIT_FAILURE);
    for (;;)
        __halt();
}

/* IRQL: HIGH_LEVEL, once at boot before anything reads an option. Refuses the first unknown
 * or malformed word with one line and a failure exit; `help` prints the table and stops.
 * The first word is the image path Multiboot loaders (QEMU, GRUB) put there. */
VOID KiValidateBootOptions(void)
{
    PCSTR p = KeLoaderBlock.CommandLine;
    BOOLEAN first = TRUE;
    char why[320], accepted[160];
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        SIZE_T len = KipWordLength(p, ' '), name = KipWordLength(p, '=');
        PCSTR value = p[name] == '=' ? p + name + 1 : NULL;
        const KI_BOOT_OPTION *o = NULL;
        for (ULONG i = 0; i < ARRAYSIZE(KiBootOptions) && !o; i++)
            if (strlen(KiBootOptions[i].Name) == name && strncmp(KiBootOptions[i].Name, p, name) == 0)
                o = &KiBootOptions[i];
        if (!o && first && !value) {
            /* the loader's image path */
        } else if (!o) {
            RtlStringCbPrintfA(why, sizeof(why), "unknown option; known:");
            for (ULONG i = 0; i < ARRAYSIZE(KiBootOptions); i++) {
                SIZE_T n = strlen(why);
                if (n + strlen(KiBootOptions[i].Name) + 2 < sizeof(why))
                    RtlStringCbPrintfA(why + n, sizeof(why) - n, " %s", KiBootOptions[i].Name);
            }
            KipRefuse(p, len, why);
        } else if (!KipValueOk(o, value)) {
            KipAccepted(o, accepted, sizeof(accepted));
            RtlStringCbPrintfA(why, sizeof(why), "%s accepts %s", o->Name, accepted);
            KipRefuse(p, len, why);
        } else if (strcmp(o->Name, "help") == 0) {
            KipPrintTable();
            HalExitEmulator(HAL_EXIT_SUCCESS);
        }
        first = FALSE;
        p += len;
    }
}
