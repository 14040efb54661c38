/* ex/lookaside.c - lookaside lists: freed blocks of one size wait on an SLIST for the next
 * allocation instead of going back to the pool; how many it keeps (Depth) follows how often
 * allocations miss, between 4 and MaximumDepth. */
#include "exp.h"

#define EXP_LOOKASIDE_MINIMUM_DEPTH 4
#define EXP_LOOKASIDE_MAXIMUM_DEPTH 256
#define EXP_LOOKASIDE_EX 0x1     /* Future[0]: the callbacks take the list (the _EX form) */
#define EXP_ADJUST_EVERY 64      /* allocations between two depth adjustments */

static LIST_ENTRY ExpLookasideListHead = { &ExpLookasideListHead, &ExpLookasideListHead };
static KSPIN_LOCK ExpLookasideLock;

static BOOLEAN ExpLookasideListed(PGENERAL_LOOKASIDE L)
{
    for (PLIST_ENTRY e = ExpLookasideListHead.Flink; e != &ExpLookasideListHead; e = e->Flink)
        if (e == &L->ListEntry)
            return TRUE;
    return FALSE;
}

/* Verifier: a block too small for the free-list link (0xC4/0xCD: list, size, minimum) or a
 * list that is already live (0xCA: list). */
static VOID ExpInitializeLookaside(PGENERAL_LOOKASIDE L, PVOID Allocate, PVOID Free, POOL_TYPE Type, SIZE_T Size,
                                   ULONG Tag, ULONG Flags)
{
    if (Size < LOOKASIDE_MINIMUM_BLOCK_SIZE && KiVerifierOn(VERIFIER_IRQL_CHECKING))
        KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xCD, (ULONG_PTR)L, Size, LOOKASIDE_MINIMUM_BLOCK_SIZE);
    if (Size < LOOKASIDE_MINIMUM_BLOCK_SIZE)
        Size = LOOKASIDE_MINIMUM_BLOCK_SIZE;
    KIRQL irql;
    KeAcquireSpinLock(&ExpLookasideLock, &irql);
    if (ExpLookasideListed(L)) {
        KeReleaseSpinLock(&ExpLookasideLock, irql);
        if (KiVerifierOn(VERIFIER_IRQL_CHECKING))
            KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xCA, (ULONG_PTR)L, 0, 0);
        return;
    }
    InitializeSListHead(&L->ListHead);
    L->Depth = EXP_LOOKASIDE_MINIMUM_DEPTH;
    L->MaximumDepth = EXP_LOOKASIDE_MAXIMUM_DEPTH;
    L->TotalAllocates = L->AllocateMisses = L->TotalFrees = L->FreeMisses = 0;
    L->LastTotalAllocates = L->LastAllocateMisses = 0;
    L->Type = Type;
    L->Tag = Tag;
    L->Size = (ULONG)Size;
    L->Allocate = (PALLOCATE_FUNCTION)Allocate;
    L->Free = (PFREE_FUNCTION)Free;
    L->Future[0] = Flags;
    L->Future[1] = 0;
    InsertTailList(&ExpLookasideListHead, &L->ListEntry);
    KeReleaseSpinLock(&ExpLookasideLock, irql);
}

static PVOID ExpPoolAllocate(PGENERAL_LOOKASIDE L)
{
    if (L->Future[0] & EXP_LOOKASIDE_EX)
        return L->AllocateEx ? L->AllocateEx(L->Type, L->Size, L->Tag, (PLOOKASIDE_LIST_EX)L)
                             : ExAllocatePoolWithTag(L->Type, L->Size, L->Tag);
    return L->Allocate ? L->Allocate(L->Type, L->Size, L->Tag) : ExAllocatePoolWithTag(L->Type, L->Size, L->Tag);
}

static VOID ExpPoolFree(PGENERAL_LOOKASIDE L, PVOID Block)
{
    if (L->Future[0] & EXP_LOOKASIDE_EX) {
        if (L->FreeEx)
            L->FreeEx(Block, (PLOOKASIDE_LIST_EX)L);
        else
            ExFreePool(Block);
    } else if (L->Free) {
        L->Free(Block);
    } else {
        ExFreePool(Block);
    }
}

/* Every EXP_ADJUST_EVERY allocations: more than one miss in 20 deepens the list (by more the
 * worse it missed), a list that hardly misses gets shallower by one. */
static VOID ExpAdjustDepth(PGENERAL_LOOKASIDE L)
{
    ULONG allocs = L->TotalAllocates - L->LastTotalAllocates;
    if (allocs < EXP_ADJUST_EVERY)
        return;
    ULONG misses = L->AllocateMisses - L->LastAllocateMisses;
    LONG depth = L->Depth;
    if (misses * 20 > allocs)
        depth += 1 + (LONG)((misses * (L->MaximumDepth - depth)) / (allocs * 2));
    else
        depth--;
    if (depth < EXP_LOOKASIDE_MINIMUM_DEPTH)
        depth = EXP_LOOKASIDE_MINIMUM_DEPTH;
    if (depth > L->MaximumDepth)
        depth = L->MaximumDepth;
    L->Depth = (USHORT)depth;
    L->LastTotalAllocates = L->TotalAllocates;
    L->LastAllocateMisses = L->AllocateMisses;
}

static PVOID ExpAllocateFromLookaside(PGENERAL_LOOKASIDE L)
{
    L->TotalAllocates++;
    PVOID block = InterlockedPopEntrySList(&L->ListHead);
    if (!block) {
        L->AllocateMisses++;
        block = ExpPoolAllocate(L);
    }
    ExpAdjustDepth(L);
    return block;
}

static VOID ExpFreeToLookaside(PGENERAL_LOOKASIDE L, PVOID Entry)
{
    L->TotalFrees++;
    if (ExQueryDepthSList(&L->ListHead) >= L->Depth) {
        L->FreeMisses++;
        ExpPoolFree(L, Entry);
        return;
    }
    InterlockedPushEntrySList(&L->ListHead, (PSLIST_ENTRY)Entry);
}

/* Returns every kept block to the pool. */
static VOID ExpFlushLookaside(PGENERAL_LOOKASIDE L)
{
    PSLIST_ENTRY e = InterlockedFlushSList(&L->ListHead);
    while (e) {
        PSLIST_ENTRY next = e->Next;
        ExpPoolFree(L, e);
        e = next;
    }
}

/* Deleting a list that is not live: Verifier 0xC4/0xCB (list). */
static VOID ExpDeleteLookaside(PGENERAL_LOOKASIDE L)
{
    KIRQL irql;
    KeAcquireSpinLock(&ExpLookasideLock, &irql);
    BOOLEAN listed = ExpLookasideListed(L);
    if (listed)
        RemoveEntryList(&L->ListEntry);
    KeReleaseSpinLock(&ExpLookasideLock, irql);
    if (!listed) {
        if (KiVerifierOn(VERIFIER_IRQL_CHECKING))
            KeBugCheckEx(DRIVER_VERIFIER_DETECTED_VIOLATION, 0xCB, (ULONG_PTR)L, 0, 0);
        return;
    }
    ExpFlushLookaside(L);
}

/* ---- The WDM entry points. Flags and Depth are accepted as Windows accepts them (Depth is
 * reserved: the list sizes itself). ---- */

/* IRQL <= DISPATCH_LEVEL. */
VOID ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                     PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth)
{
    UNREFERENCED_PARAMETER(Flags);
    UNREFERENCED_PARAMETER(Depth);
    ExpInitializeLookaside(&Lookaside->L, (PVOID)Allocate, (PVOID)Free, NonPagedPool, Size, Tag, 0);
}
/* IRQL <= DISPATCH_LEVEL. */
VOID ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside) { ExpDeleteLookaside(&Lookaside->L); }
/* IRQL <= DISPATCH_LEVEL. */
PVOID ExAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    return ExpAllocateFromLookaside(&Lookaside->L);
}
/* IRQL <= DISPATCH_LEVEL. */
VOID ExFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    ExpFreeToLookaside(&Lookaside->L, Entry);
}

/* IRQL <= APC_LEVEL. */
VOID ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                    PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth)
{
    UNREFERENCED_PARAMETER(Flags);
    UNREFERENCED_PARAMETER(Depth);
    ExpInitializeLookaside(&Lookaside->L, (PVOID)Allocate, (PVOID)Free, PagedPool, Size, Tag, 0);
}
/* IRQL <= APC_LEVEL. */
VOID ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside) { ExpDeleteLookaside(&Lookaside->L); }
/* IRQL <= APC_LEVEL. */
PVOID ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside)
{
    return ExpAllocateFromLookaside(&Lookaside->L);
}
/* IRQL <= APC_LEVEL. */
VOID ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    ExpFreeToLookaside(&Lookaside->L, Entry);
}

/* IRQL <= DISPATCH_LEVEL (nonpaged PoolType) or <= APC_LEVEL (paged). */
NTSTATUS ExInitializeLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PALLOCATE_FUNCTION_EX Allocate,
                                     PFREE_FUNCTION_EX Free, POOL_TYPE PoolType, ULONG Flags, SIZE_T Size,
                                     ULONG Tag, USHORT Depth)
{
    UNREFERENCED_PARAMETER(Depth);
    if (!Lookaside || (Flags & ~(EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL | EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE)) ||
        (Flags == (EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL | EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE)))
        return STATUS_INVALID_PARAMETER;
    ExpInitializeLookaside(&Lookaside->L, (PVOID)Allocate, (PVOID)Free, PoolType, Size, Tag, EXP_LOOKASIDE_EX);
    return STATUS_SUCCESS;
}
/* IRQL: as ExInitializeLookasideListEx for its pool type. */
VOID ExDeleteLookasideListEx(PLOOKASIDE_LIST_EX Lookaside) { ExpDeleteLookaside(&Lookaside->L); }
VOID ExFlushLookasideListEx(PLOOKASIDE_LIST_EX Lookaside) { ExpFlushLookaside(&Lookaside->L); }
PVOID ExAllocateFromLookasideListEx(PLOOKASIDE_LIST_EX Lookaside) { return ExpAllocateFromLookaside(&Lookaside->L); }
VOID ExFreeToLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PVOID Entry) { ExpFreeToLookaside(&Lookaside->L, Entry); }
