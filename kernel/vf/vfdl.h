/* kernel/vf/vfdl.h - deadlock detection's private state: the lock-order graph (a node per
 * lock address, an edge A->B when B was acquired while A was held) and its one lock. */
#pragma once
#include "../ke/ki.h"

#define VFDL_NODES 512
#define VFDL_WORDS (VFDL_NODES / 64)

typedef struct _VFDL_NODE {
    PVOID Lock;               /* NULL: empty slot; VFDL_TOMBSTONE: deleted */
    UCHAR Type;               /* VF_DL_TYPE */
    ULONG Depth;              /* exclusive holds (not resources): 1 while held, 0 free */
    KI_DEADLOCK_HELD *Owner;  /* the context holding it while Depth != 0 */
    PKTHREAD OwnerThread;     /* NULL for a processor's DPC context */
    PVOID FirstCaller;        /* who acquired it first, for the report */
} VFDL_NODE;
#define VFDL_TOMBSTONE ((PVOID)1)

extern VFDL_NODE VfDlNodes[VFDL_NODES];

/* Graph operations, all with VfDlLockGraph held. */
VFDL_NODE *VfDlLookup(PVOID Lock);
VFDL_NODE *VfDlInsert(PVOID Lock, UCHAR Type, PVOID Caller); /* NULL: the table is full */
VOID VfDlRemove(VFDL_NODE *Node);
BOOLEAN VfDlHasEdge(VFDL_NODE *From, VFDL_NODE *To);
VOID VfDlAddEdge(VFDL_NODE *From, VFDL_NODE *To);
/* TRUE if To can be reached from From; Path[0..*Length-1] then lists the nodes, From first. */
BOOLEAN VfDlReaches(VFDL_NODE *From, VFDL_NODE *To, VFDL_NODE **Path, ULONG *Length);
ULONG VfDlEdgeCount(void);

ULONG64 VfDlLockGraph(void);
VOID VfDlUnlockGraph(ULONG64 Flags);
