/* tests/experiment/exp.h - the fsstress experiment: a seeded mix of file operations through
 * filter -> FAT -> RAM disk with an in-memory model of every file (the oracle). */
#pragma once
#include "../fs/fsutil.h"
#include <irqlab/vf.h>

#define EXP_SLOTS 10
#define EXP_MAX_SIZE 20480
#define EXP_DIRS 2

typedef struct _EXP_FILE {
    WCHAR Path[24];     /* \FSS\F0.DAT, \FSS\D0\F4.DAT ... */
    WCHAR Leaf[8];      /* F0.DAT */
    LONG Dir;           /* -1: \FSS itself, else \FSS\D<n> */
    BOOLEAN Exists;
    BOOLEAN Unknown;    /* a request on it failed: what is on disk is no longer known */
    BOOLEAN Durable;    /* flushed and untouched since: a power cut must not lose it */
    ULONG Size;
    UCHAR Data[EXP_MAX_SIZE];
} EXP_FILE;

typedef struct _EXP_STATE {
    ULONG64 Rng;
    ULONG Ops, Done, Errors;
    EXP_FILE Files[EXP_SLOTS];
    BOOLEAN DirExists[EXP_DIRS], DirUnknown[EXP_DIRS];
    ULONG64 IoTagsAtStart[6]; /* the I/O manager's tags before the first mount */
    CHAR FirstFailure[96]; /* the first oracle check that failed, "" if none */
} EXP_STATE;

extern EXP_STATE Exp;

ULONG ExpRandom(ULONG Bound);
/* Records an oracle failure (the first one is kept for the result line). */
VOID ExpFail(PCSTR Check, PCSTR Detail, ...) __attribute__((format(printf, 2, 3)));
/* A request failed: fine if a fault was injected while it ran, else the oracle says so. */
VOID ExpRequestFailed(PCSTR Op, PCWSTR Path, NTSTATUS Status, ULONG64 FaultsBefore);
ULONG ExpCrc32(const UCHAR *Data, ULONG Length);
/* Oracle phase: every known file, read back in full through the whole stack. */
VOID ExpVerifyAll(PCSTR When);
/* Oracle phase: unmount, remount-verify, unmount again, then pool/IRP leaks. */
VOID ExpFinalChecks(BOOLEAN Plant);
/* Before a request that changes F: a durable file stops being durable (the host is told). */
VOID ExpTouch(EXP_FILE *F);
VOID ExpRecordIoTags(void);
VOID ExpRun(PCSTR Options);
