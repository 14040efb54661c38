/* kernel/vf/vfdlgraph.c - the lock-order graph deadlock detection keeps: an open-addressed
 * table of lock addresses and a bit matrix of "acquired while holding" edges, searched for a
 * path before each new edge so that the edge that would close a cycle is the one reported. */
#include "vfdl.h"

VFDL_NODE VfDlNodes[VFDL_NODES];
static ULONG64 VfDlEdges[VFDL_NODES][VFDL_WORDS]; /* row From, bit To */
static KSPIN_LOCK VfDlSpin;

/* Lock routines call in at any IRQL up to HIGH_LEVEL on any processor: interrupts off. */
ULONG64 VfDlLockGraph(void)
{
    return KiAcquireSpinLockInterruptsOff(&VfDlSpin);
}
VOID VfDlUnlockGraph(ULONG64 Flags)
{
    KiReleaseSpinLockInterruptsOff(&VfDlSpin, Flags);
}

static ULONG VfpDlHash(PVOID Lock)
{
    ULONG64 h = (ULONG64)Lock * 0x9E3779B97F4A7C15ULL;
    return (ULONG)(h >> 40) % VFDL_NODES;
}
static ULONG VfpDlIndex(VFDL_NODE *Node) { return (ULONG)(Node - VfDlNodes); }

VFDL_NODE *VfDlLookup(PVOID Lock)
{
    ULONG i = VfpDlHash(Lock);
    for (ULONG n = 0; n < VFDL_NODES; n++, i = (i + 1) % VFDL_NODES) {
        if (VfDlNodes[i].Lock == Lock)
            return &VfDlNodes[i];
        if (VfDlNodes[i].Lock == NULL)
            return NULL;
    }
    return NULL;
}

VFDL_NODE *VfDlInsert(PVOID Lock, UCHAR Type, PVOID Caller)
{
    VFDL_NODE *node = VfDlLookup(Lock);
    if (node)
        return node;
    ULONG i = VfpDlHash(Lock);
    for (ULONG n = 0; n < VFDL_NODES; n++, i = (i + 1) % VFDL_NODES) {
        if (VfDlNodes[i].Lock == NULL || VfDlNodes[i].Lock == VFDL_TOMBSTONE) {
            node = &VfDlNodes[i];
            RtlZeroMemory(node, sizeof(*node));
            node->Lock = Lock;
            node->Type = Type;
            node->FirstCaller = Caller;
            return node;
        }
    }
    return NULL;
}

/* The lock's memory is gone (pool freed, stack lock released): a later lock at the same
 * address is another lock and must not inherit this one's order. */
VOID VfDlRemove(VFDL_NODE *Node)
{
    ULONG x = VfpDlIndex(Node);
    RtlZeroMemory(VfDlEdges[x], sizeof(VfDlEdges[x]));
    for (ULONG r = 0; r < VFDL_NODES; r++)
        VfDlEdges[r][x / 64] &= ~(1ULL << (x % 64));
    RtlZeroMemory(Node, sizeof(*Node));
    Node->Lock = VFDL_TOMBSTONE;
}

BOOLEAN VfDlHasEdge(VFDL_NODE *From, VFDL_NODE *To)
{
    ULONG t = VfpDlIndex(To);
    return (VfDlEdges[VfpDlIndex(From)][t / 64] >> (t % 64)) & 1;
}

VOID VfDlAddEdge(VFDL_NODE *From, VFDL_NODE *To)
{
    ULONG t = VfpDlIndex(To);
    VfDlEdges[VfpDlIndex(From)][t / 64] |= 1ULL << (t % 64);
}

/* Depth-first search with an explicit stack; Parent[] gives the path back. */
BOOLEAN VfDlReaches(VFDL_NODE *From, VFDL_NODE *To, VFDL_NODE **Path, ULONG *Length)
{
    static USHORT stack[VFDL_NODES], parent[VFDL_NODES];
    static ULONG64 seen[VFDL_WORDS];
    ULONG top = 0, f = VfpDlIndex(From), t = VfpDlIndex(To);
    RtlZeroMemory(seen, sizeof(seen));
    stack[top++] = (USHORT)f;
    seen[f / 64] |= 1ULL << (f % 64);
    parent[f] = (USHORT)f;
    while (top) {
        ULONG x = stack[--top];
        if (x == t) {
            ULONG n = 0;
            for (ULONG y = t;; y = parent[y]) {
                n++;
                if (y == f)
                    break;
            }
            *Length = n;
            for (ULONG y = t, k = n; k-- > 0; y = parent[y])
                Path[k] = &VfDlNodes[y];
            return TRUE;
        }
        for (ULONG w = 0; w < VFDL_WORDS; w++) {
            ULONG64 next = VfDlEdges[x][w] & ~seen[w];
            while (next) {
                ULONG b = (ULONG)__builtin_ctzll(next), y = w * 64 + b;
                next &= next - 1;
                seen[w] |= 1ULL << b;
                parent[y] = (USHORT)x;
                stack[top++] = (USHORT)y;
            }
        }
    }
    return FALSE;
}

ULONG VfDlEdgeCount(void)
{
    ULONG n = 0;
    for (ULONG r = 0; r < VFDL_NODES; r++)
        for (ULONG w = 0; w < VFDL_WORDS; w++)
            for (ULONG64 v = VfDlEdges[r][w]; v; v &= v - 1) /* freestanding: no popcount helper */
                n++;
    return n;
}
