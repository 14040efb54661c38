/* kernel/vf/vfp.h - fault injection's private state: the rule table the fault= grammar fills
 * and the decision every armed site asks for. One lock, taken with interrupts off. */
#pragma once
#include <irqlab/vf.h>
#include "../ke/ki.h"
#include "../hal/hal.h"

#define VF_MAX_RULES 8

typedef enum _VF_CLASS { VfClassLowRes, VfClassPending, VfClassDisk, VfClassPowerCut, VfClassCancel, VfClassDelay, VfClassCount } VF_CLASS;

typedef struct _VF_RULE {
    VF_CLASS Class;
    ULONG Sites;            /* bit per VF_SITE this rule applies to */
    ULONG64 Seed, Rng;
    ULONG ProbPpm;          /* probability, parts per million */
    BOOLEAN HasNth, HasProb, HasInterval, HasSelector;
    ULONG64 Nth, Interval, Times, After, AfterMs;
    ULONG Tag;              /* 0: any */
    UCHAR PoolType;         /* 0 any, 1 nonpaged, 2 paged */
    CHAR Driver[16];        /* caller symbol prefix; "" = the default scope, "all" = anyone */
    ULONG Major;            /* pending: IRP_MJ_x, 0xFF any */
    ULONG64 SectorLo, SectorHi;
    NTSTATUS Status;
    ULONG Torn;             /* torn write: sectors that land before the error */
    ULONG JitterUs, SpuriousPpm;
    BOOLEAN Reorder;
    ULONG DelayMs;          /* cancel: how long the request runs before IoCancelIrp */
    ULONG MaxUs;            /* delay: the longest delay drawn, microseconds */
    ULONG64 Matched, Faults;
} VF_RULE;

extern VF_RULE VfpRules[VF_MAX_RULES];
extern ULONG VfpRuleCount;
extern const PCSTR VfClassNames[VfClassCount];
extern const PCSTR VfSiteNames[VfSiteCount];
extern const UCHAR VfSiteClass[VfSiteCount];

ULONG64 VfpLock(void);
VOID VfpUnlock(ULONG64 Flags);
ULONG64 VfpRandom(VF_RULE *Rule);
/* Lock held. Counts the call and returns the rule that fires, or NULL; *Seq and *Call get
 * the fault's sequence number and the rule's matched-call number. */
VF_RULE *VfpHit(VF_SITE Site, ULONG64 Key, PVOID Caller, PULONG64 Seq, PULONG64 Call);
/* Prints "FAULT <seq> <class> <site> caller=<symbol+off> <detail>". */
VOID VfpPrintFault(ULONG64 Seq, VF_SITE Site, PVOID Caller, PCSTR Detail);
NTSTATUS VfpParse(PCSTR Spec);
extern BOOLEAN VfpQuiet; /* VfpParse refuses without printing (boot-option validation) */
/* Lock held: a fault the timing routines decided themselves; returns its sequence number. */
ULONG64 VfpNextSeq(VF_SITE Site);
VOID VfpCountCall(VF_SITE Site);
#define VfpArmed(s) (VfArmedSites & (1u << (s)))
/* The disk sites' key: first sector and sector count, so a range rule can test overlap. */
#define VF_DISK_KEY(Sector, Count) ((Sector) | ((ULONG64)(Count) << 40))
#define VF_DISK_SECTOR(Key) ((Key) & ((1ULL << 40) - 1))
#define VF_DISK_COUNT(Key) ((Key) >> 40)
