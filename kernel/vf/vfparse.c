/* kernel/vf/vfparse.c - the fault= grammar: `class:key=value,...` rules separated by '/',
 * e.g. `lowres:prob=6,after=200,tag=FatB,driver=Fat,seed=42` or `lowres:nth=37`. Any word
 * it does not know is refused with one line naming it (docs/fault-injection.md). */
#include "vfp.h"

static const ULONG VfpClassSites[VfClassCount] = {
    (1u << VfSitePool) | (1u << VfSiteIrp) | (1u << VfSiteMdl) | (1u << VfSiteWorkItem) | (1u << VfSiteFsdRequest) |
        (1u << VfSiteCompletionEx) | (1u << VfSiteDevice),
    1u << VfSitePending,
    (1u << VfSiteDiskRead) | (1u << VfSiteDiskWrite),
    1u << VfSitePowerCut,
    1u << VfSiteCancel,
    (1u << VfSiteDelayWorker) | (1u << VfSiteDelayDpc),
};

static BOOLEAN VfpIn(CHAR C, PCSTR Set)
{
    while (*Set)
        if (*Set++ == C)
            return TRUE;
    return FALSE;
}

static BOOLEAN VfpEnd(CHAR c) { return c == 0 || c == ' ' || c == ',' || c == '/'; }

/* Copies the word at *P (up to one of Stops or the end) into Out; advances *P past it. */
static SIZE_T VfpWord(PCSTR *P, PCSTR Stops, PCHAR Out, SIZE_T Size)
{
    SIZE_T n = 0;
    while (**P && **P != ' ' && !VfpIn(**P, Stops)) {
        if (n + 1 < Size)
            Out[n++] = **P;
        (*P)++;
    }
    Out[n] = 0;
    return n;
}

static BOOLEAN VfpNumber(PCSTR S, ULONG64 *Out)
{
    ULONG64 v = 0, base = 10;
    if (!*S)
        return FALSE;
    if (S[0] == '0' && (S[1] == 'x' || S[1] == 'X'))
        base = 16, S += 2;
    for (; *S; S++) {
        ULONG d = (*S >= '0' && *S <= '9') ? (ULONG)(*S - '0')
                : (*S >= 'a' && *S <= 'f') ? (ULONG)(*S - 'a' + 10)
                : (*S >= 'A' && *S <= 'F') ? (ULONG)(*S - 'A' + 10) : 99;
        if (d >= base)
            return FALSE;
        v = v * base + d;
    }
    *Out = v;
    return TRUE;
}

/* "6" or "0.25" percent -> parts per million. */
static BOOLEAN VfpPercent(PCSTR S, ULONG *Ppm)
{
    ULONG64 whole = 0, frac = 0, scale = 10000;
    CHAR a[24];
    PCSTR p = S;
    VfpWord(&p, ".", a, sizeof(a));
    if (!VfpNumber(a, &whole))
        return FALSE;
    if (*p == '.') {
        for (p++; *p; p++) {
            if (*p < '0' || *p > '9')
                return FALSE;
            scale /= 10;
            frac += (ULONG64)(*p - '0') * scale;
        }
    }
    if (whole > 100 || (whole == 100 && frac))
        return FALSE;
    *Ppm = (ULONG)(whole * 10000 + frac);
    return TRUE;
}

BOOLEAN VfpQuiet;

static VOID VfpBad(PCSTR What, PCSTR Word)
{
    if (VfpQuiet)
        return;
    DbgPrint("fault: %s '%s' (grammar: class:key=value,... with class lowres, pending, disk, powercut, cancel or delay; see "
             "docs/fault-injection.md)\n", What, Word);
}

static const struct { PCSTR Name; NTSTATUS Status; } VfpStatuses[] = {
    { "crc", STATUS_CRC_ERROR }, { "data", STATUS_DEVICE_DATA_ERROR }, { "io", STATUS_IO_DEVICE_ERROR } };
static const struct { PCSTR Name; UCHAR Major; } VfpMajors[] = {
    { "create", IRP_MJ_CREATE }, { "read", IRP_MJ_READ }, { "write", IRP_MJ_WRITE }, { "flush", IRP_MJ_FLUSH_BUFFERS },
    { "dirctl", IRP_MJ_DIRECTORY_CONTROL }, { "fsctl", IRP_MJ_FILE_SYSTEM_CONTROL }, { "ioctl", IRP_MJ_DEVICE_CONTROL },
    { "setinfo", IRP_MJ_SET_INFORMATION }, { "queryinfo", IRP_MJ_QUERY_INFORMATION }, { "cleanup", IRP_MJ_CLEANUP },
    { "close", IRP_MJ_CLOSE } };

/* One key=value of rule R; FALSE (after one line) when the key or value is not understood. */
static BOOLEAN VfpKey(VF_RULE *R, PCSTR Key, PCSTR Val)
{
    ULONG64 n = 0;
    BOOLEAN num = VfpNumber(Val, &n);
    if (strcmp(Key, "prob") == 0) {
        if (!VfpPercent(Val, &R->ProbPpm))
            goto bad;
        R->HasProb = TRUE;
    } else if (strcmp(Key, "nth") == 0 && num) {
        R->HasNth = TRUE, R->Nth = n;
    } else if (strcmp(Key, "interval") == 0 && num) {
        R->HasInterval = TRUE, R->Interval = n;
    } else if (strcmp(Key, "times") == 0 && num) {
        R->Times = n;
    } else if (strcmp(Key, "after") == 0 && num) {
        R->After = n;
    } else if (strcmp(Key, "afterms") == 0 && num) {
        R->AfterMs = n;
    } else if (strcmp(Key, "seed") == 0 && num) {
        R->Seed = n;
    } else if (strcmp(Key, "tag") == 0 && strlen(Val) >= 1 && strlen(Val) <= 4) {
        R->Tag = 0;
        for (ULONG i = 0; Val[i]; i++)
            R->Tag |= (ULONG)(UCHAR)Val[i] << (8 * i);
    } else if (strcmp(Key, "pool") == 0 && (strcmp(Val, "paged") == 0 || strcmp(Val, "nonpaged") == 0)) {
        R->PoolType = Val[0] == 'p' ? 2 : 1;
    } else if (strcmp(Key, "driver") == 0 && strlen(Val) && strlen(Val) < sizeof(R->Driver)) {
        RtlCopyMemory(R->Driver, Val, strlen(Val) + 1);
    } else if (strcmp(Key, "site") == 0) {
        ULONG s = 0;
        while (s < VfSiteCount && !(VfSiteClass[s] == R->Class && strcmp(VfSiteNames[s], Val) == 0))
            s++;
        if (s == VfSiteCount)
            goto bad;
        R->Sites = 1u << s;
    } else if (strcmp(Key, "major") == 0) {
        ULONG i = 0;
        while (i < ARRAYSIZE(VfpMajors) && strcmp(VfpMajors[i].Name, Val) != 0)
            i++;
        if (i == ARRAYSIZE(VfpMajors))
            goto bad;
        R->Major = VfpMajors[i].Major;
    } else if (strcmp(Key, "op") == 0 && R->Class == VfClassDisk &&
               (strcmp(Val, "read") == 0 || strcmp(Val, "write") == 0)) {
        R->Sites = 1u << (Val[0] == 'r' ? VfSiteDiskRead : VfSiteDiskWrite);
    } else if (strcmp(Key, "sector") == 0) {
        CHAR lo[24];
        PCSTR p = Val;
        VfpWord(&p, "-", lo, sizeof(lo));
        if (!VfpNumber(lo, &R->SectorLo) || (*p == '-' ? !VfpNumber(p + 1, &R->SectorHi) : (R->SectorHi = R->SectorLo, 0)))
            goto bad;
        R->HasSelector = TRUE;
    } else if (strcmp(Key, "status") == 0) {
        ULONG i = 0;
        while (i < ARRAYSIZE(VfpStatuses) && strcmp(VfpStatuses[i].Name, Val) != 0)
            i++;
        if (i == ARRAYSIZE(VfpStatuses))
            goto bad;
        R->Status = VfpStatuses[i].Status;
        R->HasSelector = TRUE;
    } else if (strcmp(Key, "torn") == 0 && num && R->Class == VfClassDisk) {
        R->Torn = (ULONG)n;
        R->HasSelector = TRUE;
        R->Sites = 1u << VfSiteDiskWrite;
    } else if (strcmp(Key, "jitter") == 0 && num && R->Class == VfClassDisk) {
        R->JitterUs = (ULONG)n;
    } else if (strcmp(Key, "spurious") == 0 && R->Class == VfClassDisk) {
        if (!VfpPercent(Val, &R->SpuriousPpm))
            goto bad;
    } else if (strcmp(Key, "delay") == 0 && num && n <= 1000 && R->Class == VfClassCancel) {
        R->DelayMs = (ULONG)n;
    } else if (strcmp(Key, "max") == 0 && num && n <= 100000 && R->Class == VfClassDelay) {
        R->MaxUs = (ULONG)n;
    } else if (strcmp(Key, "reorder") == 0 && R->Class == VfClassDisk && (!*Val || strcmp(Val, "1") == 0)) {
        R->Reorder = TRUE;
    } else {
        VfpBad("unknown word", Key);
        return FALSE;
    }
    return TRUE;
bad:
    VfpBad("bad value for", Key);
    return FALSE;
}

NTSTATUS VfpParse(PCSTR Spec)
{
    PCSTR p = Spec;
    CHAR word[24], key[16], val[24];
    while (*p && *p != ' ') {
        if (VfpRuleCount == VF_MAX_RULES) {
            VfpBad("too many rules at", p);
            return STATUS_INVALID_PARAMETER;
        }
        VfpWord(&p, ":/", word, sizeof(word));
        ULONG c = 0;
        while (c < VfClassCount && strcmp(VfClassNames[c], word) != 0)
            c++;
        if (c == VfClassCount) {
            VfpBad("unknown class", word);
            return STATUS_INVALID_PARAMETER;
        }
        VF_RULE *r = &VfpRules[VfpRuleCount++];
        r->Class = (VF_CLASS)c;
        r->Sites = VfpClassSites[c];
        r->Seed = 1;
        r->Major = 0xFF;
        r->SectorHi = ~0ULL;
        r->Status = STATUS_IO_DEVICE_ERROR;
        r->MaxUs = 100;
        if (*p == ':') {
            do {
                p++;
                VfpWord(&p, "=,/", key, sizeof(key));
                val[0] = 0;
                if (*p == '=') {
                    p++;
                    VfpWord(&p, ",/", val, sizeof(val));
                }
                if (!VfpKey(r, key, val))
                    return STATUS_INVALID_PARAMETER;
            } while (*p == ',');
        }
        if (!VfpEnd(*p)) {
            VfpBad("unexpected text at", p);
            return STATUS_INVALID_PARAMETER;
        }
        if (r->JitterUs || r->SpuriousPpm || r->Reorder) {
            /* a timing rule fails nothing unless an error selector was given as well */
            if (!r->HasNth && !r->HasProb && !r->HasInterval && !r->HasSelector)
                r->Sites = 0;
            r->Sites |= 1u << VfSiteDiskTiming;
        }
        if (r->HasNth && !r->Times)
            r->Times = 1;
        r->Rng = r->Seed * 0x2545F4914F6CDD1DULL + VfpRuleCount;
        if (*p == '/')
            p++;
    }
    return STATUS_SUCCESS;
}
