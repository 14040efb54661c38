/* tests/experiment/fsstress.c - `experiment=fsstress,ops=N,seed=S`: create, write, read,
 * extend, truncate, rename, delete, mkdir, enumerate and flush, chosen by a seeded generator,
 * each checked against the model; then the oracle's final checks. */
#include <ntifs.h>
#include "exp.h"
#include "../../kernel/ke/ki.h"

EXP_STATE Exp;
static UCHAR ExpBuf[EXP_MAX_SIZE];

ULONG ExpRandom(ULONG Bound)
{
    Exp.Rng ^= Exp.Rng << 13;
    Exp.Rng ^= Exp.Rng >> 7;
    Exp.Rng ^= Exp.Rng << 17;
    return Bound ? (ULONG)(Exp.Rng % Bound) : 0;
}

static VOID ExpSetPath(EXP_FILE *F, ULONG Slot, ULONG Leaf)
{
    static const WCHAR digits[] = L"0123456789";
    WCHAR leaf[8] = { L'F', digits[Leaf], L'.', L'D', L'A', L'T', 0 };
    WCHAR *p = F->Path;
    for (PCWSTR s = L"\\FSS\\"; *s; s++)
        *p++ = *s;
    if (F->Dir >= 0)
        *p++ = L'D', *p++ = digits[F->Dir], *p++ = L'\\';
    for (ULONG i = 0; leaf[i]; i++)
        *p++ = leaf[i];
    *p = 0;
    RtlCopyMemory(F->Leaf, leaf, sizeof(leaf));
    UNREFERENCED_PARAMETER(Slot);
}

VOID ExpTouch(EXP_FILE *F)
{
    if (F->Durable)
        DbgPrint("EXP-MUT %S\n", F->Path);
    F->Durable = FALSE;
}

static BOOLEAN ExpParentOk(EXP_FILE *F) { return F->Dir < 0 || (Exp.DirExists[F->Dir] && !Exp.DirUnknown[F->Dir]); }

static VOID ExpOpCreate(EXP_FILE *F)
{
    HANDLE h;
    if (F->Exists || F->Unknown || !ExpParentOk(F))
        return;
    ULONG64 f0 = VfFaultCount();
    NTSTATUS s = FsOpen(F->Path, FILE_CREATE, 0, &h, NULL);
    if (!NT_SUCCESS(s)) {
        F->Unknown = TRUE; /* the engine may have written the entry before it failed */
        return ExpRequestFailed("create", F->Path, s, f0);
    }
    ZwClose(h);
    F->Exists = TRUE;
    F->Size = 0;
}

/* A write inside the file or at its end (so the file extends with no gap). */
static VOID ExpOpWrite(EXP_FILE *F)
{
    HANDLE h;
    ULONG done;
    if (!F->Exists || F->Unknown)
        return;
    ULONG off = ExpRandom(F->Size + 1), len = 1 + ExpRandom(4096);
    BOOLEAN sectors = ExpRandom(3) == 0; /* sometimes whole sectors, FAT's associated-IRP path */
    if (sectors)
        off &= ~511u, len = (len + 511) & ~511u;
    if (off + len > EXP_MAX_SIZE)
        len = EXP_MAX_SIZE - off;
    if (!len)
        return;
    for (ULONG i = 0; i < len; i++)
        ExpBuf[i] = (UCHAR)ExpRandom(256);
    ExpTouch(F);
    ULONG64 f0 = VfFaultCount();
    NTSTATUS s = FsOpen(F->Path, FILE_OPEN, 0, &h, NULL);
    if (NT_SUCCESS(s)) {
        s = FsWriteAt(h, off, ExpBuf, len, &done);
        ZwClose(h);
    }
    if (!NT_SUCCESS(s)) {
        F->Unknown = TRUE; /* a partial write may have landed */
        return ExpRequestFailed("write", F->Path, s, f0);
    }
    if (done != len)
        ExpFail("write-length", "%S: wrote %u of %u", F->Path, done, len);
    RtlCopyMemory(F->Data + off, ExpBuf, len);
    if (off + len > F->Size)
        F->Size = off + len;
}

static VOID ExpOpRead(EXP_FILE *F)
{
    HANDLE h;
    ULONG done = 0;
    if (!F->Exists || F->Unknown)
        return;
    ULONG off = ExpRandom(F->Size + 1), len = 1 + ExpRandom(8192);
    ULONG64 f0 = VfFaultCount();
    NTSTATUS s = FsOpen(F->Path, FILE_OPEN, ExpRandom(2) ? FILE_NO_INTERMEDIATE_BUFFERING : 0, &h, NULL);
    if (NT_SUCCESS(s)) {
        s = FsReadAt(h, off, ExpBuf, len, &done);
        ZwClose(h);
    }
    if (s == STATUS_END_OF_FILE && off == F->Size)
        return;
    if (!NT_SUCCESS(s))
        return ExpRequestFailed("read", F->Path, s, f0);
    ULONG want = off + len > F->Size ? F->Size - off : len;
    if (done != want)
        return ExpFail("read-length", "%S: read %u at %u, model says %u", F->Path, done, off, want);
    if (!RtlEqualMemory(ExpBuf, F->Data + off, want))
        ExpFail("read-data", "%S: %u bytes at %u differ from the model", F->Path, want, off);
}

static VOID ExpOpTruncate(EXP_FILE *F)
{
    HANDLE h;
    if (!F->Exists || F->Unknown)
        return;
    ULONG size = ExpRandom(F->Size + 1);
    ExpTouch(F);
    ULONG64 f0 = VfFaultCount();
    NTSTATUS s = FsOpen(F->Path, FILE_OPEN, 0, &h, NULL);
    if (NT_SUCCESS(s)) {
        s = FsSetSize(h, size);
        ZwClose(h);
    }
    if (!NT_SUCCESS(s)) {
        F->Unknown = TRUE;
        return ExpRequestFailed("truncate", F->Path, s, f0);
    }
    F->Size = size;
}

static VOID ExpOpRename(EXP_FILE *F)
{
    HANDLE h;
    EXP_FILE *to = NULL;
    if (!F->Exists || F->Unknown)
        return;
    for (ULONG i = 0; i < EXP_SLOTS && !to; i++)
        if (Exp.Files[i].Dir == F->Dir && !Exp.Files[i].Exists && !Exp.Files[i].Unknown)
            to = &Exp.Files[i];
    if (!to)
        return;
    ExpTouch(F);
    ExpTouch(to);
    ULONG64 f0 = VfFaultCount();
    NTSTATUS s = FsOpen(F->Path, FILE_OPEN, 0, &h, NULL);
    if (NT_SUCCESS(s)) {
        s = FsRename(h, to->Leaf, FALSE);
        ZwClose(h);
    }
    if (!NT_SUCCESS(s)) {
        F->Unknown = to->Unknown = TRUE; /* either name may hold it now */
        return ExpRequestFailed("rename", F->Path, s, f0);
    }
    to->Exists = TRUE;
    to->Size = F->Size;
    RtlCopyMemory(to->Data, F->Data, F->Size);
    F->Exists = FALSE;
    F->Size = 0;
}

static NTSTATUS ExpDelete(PCWSTR Path, ULONG Options)
{
    HANDLE h;
    NTSTATUS s = FsOpen(Path, FILE_OPEN, Options, &h, NULL);
    if (NT_SUCCESS(s)) {
        s = FsMarkDelete(h);
        ZwClose(h);
    }
    return s;
}

static VOID ExpOpDelete(EXP_FILE *F)
{
    if (!F->Exists && !F->Unknown)
        return;
    ExpTouch(F);
    ULONG64 f0 = VfFaultCount();
    NTSTATUS s = ExpDelete(F->Path, 0);
    if (F->Unknown && (NT_SUCCESS(s) || s == STATUS_OBJECT_NAME_NOT_FOUND)) {
        /* known again: gone, unless a fault hit the cleanup that deletes it (seed 20172) */
        F->Unknown = NT_SUCCESS(s) && VfFaultCount() != f0;
        F->Exists = FALSE;
        return;
    }
    if (!NT_SUCCESS(s)) {
        F->Unknown = TRUE;
        return ExpRequestFailed("delete", F->Path, s, f0);
    }
    /* The delete itself happens at cleanup, which cannot fail (as on Windows): a fault there
     * may leave the file, and nobody can be told but the debugger. */
    F->Unknown = VfFaultCount() != f0;
    F->Exists = FALSE;
}

static VOID ExpOpMkdir(ULONG D)
{
    static WCHAR path[] = L"\\FSS\\D0";
    HANDLE h;
    path[6] = (WCHAR)(L'0' + D);
    if (Exp.DirUnknown[D])
        return;
    ULONG64 f0 = VfFaultCount();
    if (!Exp.DirExists[D]) {
        NTSTATUS s = FsOpen(path, FILE_CREATE, FILE_DIRECTORY_FILE, &h, NULL);
        if (!NT_SUCCESS(s)) {
            Exp.DirUnknown[D] = TRUE;
            return ExpRequestFailed("mkdir", path, s, f0);
        }
        ZwClose(h);
        Exp.DirExists[D] = TRUE;
        return;
    }
    for (ULONG i = 0; i < EXP_SLOTS; i++)
        if (Exp.Files[i].Dir == (LONG)D && (Exp.Files[i].Exists || Exp.Files[i].Unknown))
            return; /* not empty: rmdir would be refused */
    NTSTATUS s = ExpDelete(path, FILE_DIRECTORY_FILE);
    if (!NT_SUCCESS(s)) {
        Exp.DirUnknown[D] = TRUE;
        return ExpRequestFailed("rmdir", path, s, f0);
    }
    /* As for a file: the delete happens at cleanup, which cannot fail; a fault meanwhile may
     * leave the directory (seed 10034: a read error, "a delete failed at cleanup"). */
    Exp.DirUnknown[D] = VfFaultCount() != f0;
    Exp.DirExists[D] = FALSE;
}

/* The directory listing agrees with the model about one name. */
static VOID ExpOpEnumerate(EXP_FILE *F)
{
    static WCHAR dir[] = L"\\FSS\\D0";
    ULONG count;
    BOOLEAN found;
    if (F->Unknown || !ExpParentOk(F))
        return;
    dir[6] = (WCHAR)(L'0' + (F->Dir < 0 ? 0 : F->Dir));
    if (F->Dir < 0)
        dir[4] = 0;
    ULONG64 f0 = VfFaultCount();
    NTSTATUS s = FsCountEntries(dir, &count, F->Leaf, &found);
    dir[4] = L'\\';
    if (!NT_SUCCESS(s))
        return ExpRequestFailed("enumerate", F->Path, s, f0);
    if (found != F->Exists)
        ExpFail("enumerate", "%S: listed %u, model says %u", F->Path, found, F->Exists);
}

static VOID ExpOpFlush(EXP_FILE *F)
{
    HANDLE h;
    if (!F->Exists || F->Unknown)
        return;
    ULONG64 f0 = VfFaultCount();
    NTSTATUS s = FsOpen(F->Path, FILE_OPEN, 0, &h, NULL);
    if (NT_SUCCESS(s)) {
        s = FsFlush(h);
        ZwClose(h);
    }
    if (!NT_SUCCESS(s))
        return ExpRequestFailed("flush", F->Path, s, f0);
    /* acknowledged and flushed: a power cut from here on must not lose it (the host checks) */
    DbgPrint("EXP-DURABLE %S %u %08x\n", F->Path, F->Size, ExpCrc32(F->Data, F->Size));
    F->Durable = TRUE;
}

static ULONG ExpOptionNumber(PCSTR Options, PCSTR Key, ULONG Default)
{
    SIZE_T n = strlen(Key);
    for (PCSTR p = Options; p && *p && *p != ' ';) {
        if (strncmp(p, Key, n) == 0 && p[n] == '=') {
            ULONG v = 0;
            for (p += n + 1; *p >= '0' && *p <= '9'; p++)
                v = v * 10 + (ULONG)(*p - '0');
            return v;
        }
        while (*p && *p != ',' && *p != ' ')
            p++;
        if (*p == ',')
            p++;
    }
    return Default;
}

static BOOLEAN ExpOptionIs(PCSTR Options, PCSTR KeyValue)
{
    SIZE_T n = strlen(KeyValue);
    for (PCSTR p = Options; p && *p && *p != ' ';) {
        if (strncmp(p, KeyValue, n) == 0 && (p[n] == ',' || p[n] == ' ' || !p[n]))
            return TRUE;
        while (*p && *p != ',' && *p != ' ')
            p++;
        if (*p == ',')
            p++;
    }
    return FALSE;
}

/* The boot-option table's check for experiment=: the one experiment, its known words. */
BOOLEAN ExpIsValidOptions(PCSTR Value)
{
    static const PCSTR words[] = { "ops=", "seed=", "plant=corrupt", "plant=hang", "plant=bugcheck" };
    if (!Value || strncmp(Value, "fsstress", 8) != 0 || (Value[8] && Value[8] != ',' && Value[8] != ' '))
        return FALSE;
    for (PCSTR p = Value + 8; *p == ',';) {
        p++;
        ULONG i = 0;
        while (i < ARRAYSIZE(words) && strncmp(p, words[i], strlen(words[i])) != 0)
            i++;
        if (i == ARRAYSIZE(words))
            return FALSE;
        p += strlen(words[i]);
        if (words[i][strlen(words[i]) - 1] == '=') {
            if (*p < '0' || *p > '9')
                return FALSE;
            while (*p >= '0' && *p <= '9')
                p++;
        }
        if (*p && *p != ',' && *p != ' ')
            return FALSE;
    }
    return TRUE;
}

static ULONG64 ExpLostDelayedWrites(void)
{
    CC_STATISTICS st;
    CcQueryStatistics(&st);
    return st.LostDelayedWrites;
}

/* The op's close was the file's last: its write-behind failed and the cache manager dropped
 * the data, saying so (Delayed Write Failed). Reported, so no silent loss; but what is on disk
 * of the file (or, after a rename, of any name in its directory) is no longer known. */
static VOID ExpDelayedWriteLost(EXP_FILE *F, ULONG64 FaultsBefore)
{
    for (ULONG i = 0; i < EXP_SLOTS; i++)
        if (&Exp.Files[i] == F || (Exp.Files[i].Dir == F->Dir && Exp.Files[i].Exists))
            Exp.Files[i].Unknown = TRUE;
    ExpRequestFailed("write-behind", F->Path, STATUS_LOST_WRITEBEHIND_DATA, FaultsBefore);
}

/* PASSIVE_LEVEL, from KtMain. Options: "fsstress,ops=N,seed=S[,plant=corrupt|hang|bugcheck]";
 * the plants are the runner's own tests: a byte changed on disk behind FAT's back, a workload
 * that never ends, a bug check. */
VOID ExpRun(PCSTR Options)
{
    HANDLE h;
    static CHAR spec[256];
    if (strncmp(Options, "fsstress", 8) != 0 || (Options[8] && Options[8] != ',' && Options[8] != ' ')) {
        DbgPrint("experiment: unknown experiment (known: fsstress,ops=N,seed=S[,plant=1])\n");
        return;
    }
    Exp.Ops = ExpOptionNumber(Options, "ops", 200);
    Exp.Rng = 0x9E3779B97F4A7C15ULL ^ ((ULONG64)ExpOptionNumber(Options, "seed", 1) * 0x100000001B3ULL);
    for (ULONG i = 0; i < EXP_SLOTS; i++) {
        Exp.Files[i].Dir = i < 4 ? -1 : i < 7 ? 0 : 1;
        ExpSetPath(&Exp.Files[i], i, i);
    }
    DbgPrint("EXP-START fsstress ops=%u\n", Exp.Ops);
    ExpRecordIoTags();
    /* setup, unfaulted: mount and the experiment's own directory */
    if (!NT_SUCCESS(FsOpen(L"\\FSS", FILE_OPEN_IF, FILE_DIRECTORY_FILE, &h, NULL))) {
        ExpFail("setup", "cannot create \\FSS");
    } else {
        ZwClose(h);
        PCSTR f = KiGetBootOption("fault");
        SIZE_T n = 0;
        while (f && f[n] && f[n] != ' ' && n + 1 < sizeof(spec))
            spec[n] = f[n], n++;
        spec[n] = 0;
        if (n)
            VfConfigure(spec); /* validated at boot; armed only now */
        for (Exp.Done = 0; Exp.Done < Exp.Ops && !Exp.FirstFailure[0]; Exp.Done++) {
            EXP_FILE *f = &Exp.Files[ExpRandom(EXP_SLOTS)];
            ULONG op = ExpRandom(11);
            static const PCSTR names[] = { "create", "write", "write", "read", "truncate", "rename", "delete",
                                           "mkdir", "enumerate", "flush", "create" };
            DbgPrint("EXP-OP %u %s %S\n", Exp.Done, names[op], f->Path);
            ULONG64 f0 = VfFaultCount(), lost0 = ExpLostDelayedWrites();
            switch (op) {
            case 0: ExpOpCreate(f); break;
            case 1: case 2: ExpOpWrite(f); break;
            case 3: ExpOpRead(f); break;
            case 4: ExpOpTruncate(f); break;
            case 5: ExpOpRename(f); break;
            case 6: ExpOpDelete(f); break;
            case 7: ExpOpMkdir(ExpRandom(EXP_DIRS)); break;
            case 8: ExpOpEnumerate(f); break;
            case 9: ExpOpFlush(f); break;
            default: ExpOpCreate(f); break;
            }
            if (ExpLostDelayedWrites() != lost0)
                ExpDelayedWriteLost(f, f0);
        }
        if (ExpOptionIs(Options, "plant=hang"))
            for (;;)
                KeStallExecutionProcessor(1000);
        if (ExpOptionIs(Options, "plant=bugcheck"))
            KeBugCheckEx(MANUALLY_INITIATED_CRASH, 0x1234, Exp.Done, 0, 0);
        VfPrintSummary();
        __atomic_store_n(&VfArmedSites, 0, __ATOMIC_SEQ_CST); /* the oracle's reads are not faulted */
        ExpFinalChecks(ExpOptionIs(Options, "plant=corrupt"));
    }
    ULONG64 faults = VfFaultCount();
    PCSTR outcome = Exp.FirstFailure[0] ? "corrupt" : faults ? "handled" : "ok";
    DbgPrint("EXPERIMENT-RESULT %s ops=%u done=%u errors=%u faults=%llu check=%s\n", outcome, Exp.Ops, Exp.Done,
             Exp.Errors, faults, Exp.FirstFailure[0] ? Exp.FirstFailure : "-");
}
