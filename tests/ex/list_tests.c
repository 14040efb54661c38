/* tests/ex/list_tests.c - the Interlocked intrinsics' documented return values, the
 * SINGLE_LIST_ENTRY helpers, the ExInterlocked list routines (any IRQL, interrupts kept as
 * found) and SLISTs under real contention from threads and a timer DPC. */
#include "../ke/kthread_util.h"

KTEST(exlist, interlocked_intrinsics_return_what_wdm_documents)
{
    volatile LONG v = 5;
    KT_EQ(InterlockedIncrement(&v), 6);             /* the new value */
    KT_EQ(InterlockedDecrement(&v), 5);
    KT_EQ(InterlockedExchange(&v, 9), 5);           /* the old value */
    KT_EQ(InterlockedExchangeAdd(&v, 3), 9);        /* old */
    KT_EQ(InterlockedAdd(&v, 3), 15);               /* new */
    KT_EQ(InterlockedCompareExchange(&v, 1, 14), 15); /* no match: unchanged, returns what it found */
    KT_EQ(v, 15);
    KT_EQ(InterlockedCompareExchange(&v, 1, 15), 15);
    KT_EQ(v, 1);
    KT_EQ(InterlockedOr(&v, 6), 1);
    KT_EQ(InterlockedAnd(&v, 3), 7);
    KT_EQ(InterlockedXor(&v, 1), 3);
    KT_EQ(v, 2);

    volatile LONG64 w = 0x100000000LL;
    KT_EQ(InterlockedIncrement64(&w), 0x100000001LL);
    KT_EQ(InterlockedExchangeAdd64(&w, 0x100000000LL), 0x100000001LL);
    KT_EQ(InterlockedAdd64(&w, -1), 0x200000000LL);
    KT_EQ(InterlockedCompareExchange64(&w, 7, 0x200000000LL), 0x200000000LL);
    KT_EQ(InterlockedExchange64(&w, 8), 7);
    KT_EQ(InterlockedOr64(&w, 0x1000000000LL), 8);
    KT_EQ(InterlockedAnd64(&w, 0x1000000000LL), 0x1000000008LL);
    KT_EQ(InterlockedDecrement64(&w), 0xFFFFFFFFFLL);

    LONG x, y;
    PVOID volatile p = &x;
    KT_ASSERT(InterlockedCompareExchangePointer(&p, &y, NULL) == &x); /* no match */
    KT_ASSERT(p == &x);
    KT_ASSERT(InterlockedCompareExchangePointer(&p, &y, &x) == &x);
    KT_ASSERT(InterlockedExchangePointer(&p, NULL) == &y);
    KT_ASSERT(p == NULL);
}

KTEST(exlist, push_and_pop_entry_list_are_lifo)
{
    SINGLE_LIST_ENTRY head = { NULL }, a, b;
    PushEntryList(&head, &a);
    PushEntryList(&head, &b);
    KT_ASSERT(PopEntryList(&head) == &b);
    KT_ASSERT(PopEntryList(&head) == &a);
    KT_ASSERT(PopEntryList(&head) == NULL);
}

KTEST(exlist, interlocked_list_routines_return_the_old_neighbour_and_work_at_high_level)
{
    LIST_ENTRY head, a, b, c;
    SINGLE_LIST_ENTRY shead = { NULL }, s1, s2;
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    InitializeListHead(&head);
    KT_ASSERT(ExInterlockedInsertHeadList(&head, &a, &lock) == NULL); /* was empty */
    KT_ASSERT(ExInterlockedInsertHeadList(&head, &b, &lock) == &a);   /* old first */
    KT_ASSERT(ExInterlockedInsertTailList(&head, &c, &lock) == &a);   /* old last */
    KT_ASSERT(KeTestSpinLock(&lock));
    KIRQL old;
    KeRaiseIrql(HIGH_LEVEL, &old); /* any IRQL */
    KT_ASSERT(ExInterlockedRemoveHeadList(&head, &lock) == &b);
    KT_ASSERT(ExInterlockedRemoveHeadList(&head, &lock) == &a);
    KT_ASSERT(ExInterlockedRemoveHeadList(&head, &lock) == &c);
    KT_ASSERT(ExInterlockedRemoveHeadList(&head, &lock) == NULL);
    KT_ASSERT(ExInterlockedPushEntryList(&shead, &s1, &lock) == NULL);
    KT_ASSERT(ExInterlockedPushEntryList(&shead, &s2, &lock) == &s1);
    KT_ASSERT(ExInterlockedPopEntryList(&shead, &lock) == &s2);
    KeLowerIrql(old);
    KT_ASSERT(KiInterruptsEnabled());
    _disable(); /* interrupts come back as they were found */
    KT_ASSERT(ExInterlockedPopEntryList(&shead, &lock) == &s1);
    BOOLEAN on = KiInterruptsEnabled();
    _enable();
    KT_ASSERT(!on);
    KT_ASSERT(ExInterlockedPopEntryList(&shead, &lock) == NULL);
}

KTEST(exlist, interlocked_add_routines_return_the_value_before)
{
    KSPIN_LOCK lock;
    ULONG u = 40;
    LARGE_INTEGER big, inc, was;
    KeInitializeSpinLock(&lock);
    KT_EQ(ExInterlockedAddUlong(&u, 2, &lock), 40);
    KT_EQ(u, 42);
    big.QuadPart = 0xFFFFFFFFLL;
    inc.QuadPart = 1;
    was = ExInterlockedAddLargeInteger(&big, inc, &lock);
    KT_EQ(was.QuadPart, 0xFFFFFFFFLL);
    KT_EQ(big.QuadPart, 0x100000000LL);
    ExInterlockedAddLargeStatistic(&big, 5);
    KT_EQ(big.QuadPart, 0x100000005LL);
}

KTEST(exlist, slist_push_pop_flush_and_depth)
{
    static SLIST_HEADER head;
    static SLIST_ENTRY e[3];
    InitializeSListHead(&head);
    KT_EQ(QueryDepthSList(&head), 0);
    KT_ASSERT(InterlockedPopEntrySList(&head) == NULL);
    KT_ASSERT(InterlockedPushEntrySList(&head, &e[0]) == NULL);
    KT_ASSERT(InterlockedPushEntrySList(&head, &e[1]) == &e[0]); /* returns the old first */
    KT_ASSERT(ExInterlockedPushEntrySList(&head, &e[2], NULL) == &e[1]);
    KT_EQ(QueryDepthSList(&head), 3);
    KT_ASSERT(FirstEntrySList(&head) == &e[2]);
    KT_ASSERT(InterlockedPopEntrySList(&head) == &e[2]);
    KT_EQ(ExQueryDepthSList(&head), 2);
    PSLIST_ENTRY chain = ExInterlockedFlushSList(&head);
    KT_ASSERT(chain == &e[1] && chain->Next == &e[0] && e[0].Next == NULL);
    KT_EQ(QueryDepthSList(&head), 0);
    KT_ASSERT(InterlockedFlushSList(&head) == NULL);
}

/* Contention: three threads and a periodic timer DPC move nodes between the list and their
 * own hands; at the end every node is in the list exactly once. */
#define KTP_NODES 64
static SLIST_HEADER KtpHead;
static SLIST_ENTRY KtpNode[KTP_NODES];
static volatile LONG KtpDone;
static volatile LONG KtpDpcMoves;
static VOID KtpChurn(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    PSLIST_ENTRY held[4];
    for (ULONG round = 0; round < 3000; round++) {
        ULONG n = 0;
        while (n < 4 && (held[n] = InterlockedPopEntrySList(&KtpHead)) != NULL)
            n++;
        while (n)
            InterlockedPushEntrySList(&KtpHead, held[--n]);
    }
    __atomic_add_fetch(&KtpDone, 1, __ATOMIC_SEQ_CST);
}
static VOID KtpChurnDpc(PKDPC Dpc, PVOID Ctx, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Ctx);
    UNREFERENCED_PARAMETER(A1);
    UNREFERENCED_PARAMETER(A2);
    PSLIST_ENTRY e = InterlockedPopEntrySList(&KtpHead);
    if (e) {
        InterlockedPushEntrySList(&KtpHead, e);
        KtpDpcMoves++;
    }
}

KTEST(exlist, slist_keeps_every_node_exactly_once_under_threads_and_a_dpc)
{
    KTIMER timer;
    KDPC dpc;
    PKTHREAD t[3];
    LARGE_INTEGER due = KtMs(1);
    InitializeSListHead(&KtpHead);
    for (ULONG i = 0; i < KTP_NODES; i++)
        InterlockedPushEntrySList(&KtpHead, &KtpNode[i]);
    KtpDone = 0;
    KtpDpcMoves = 0;
    KeInitializeDpc(&dpc, KtpChurnDpc, NULL);
    KeInitializeTimerEx(&timer, NotificationTimer);
    KeSetTimerEx(&timer, due, 1, &dpc);
    for (int i = 0; i < 3; i++)
        KT_ASSERT((t[i] = KtStartThread(KtpChurn, NULL, KI_DEFAULT_PRIORITY)) != NULL);
    for (int i = 0; i < 3; i++)
        KT_STATUS(KtJoinThread(t[i], 20000), STATUS_SUCCESS);
    KeCancelTimer(&timer);
    KeFlushQueuedDpcs();
    KT_EQ(KtpDone, 3);
    KT_ASSERT(KtpDpcMoves > 0);
    KT_EQ(QueryDepthSList(&KtpHead), KTP_NODES);
    static UCHAR seen[KTP_NODES];
    RtlZeroMemory(seen, sizeof(seen));
    ULONG count = 0;
    for (PSLIST_ENTRY e = FirstEntrySList(&KtpHead); e && count <= KTP_NODES; e = e->Next, count++) {
        ULONG i = (ULONG)(e - KtpNode);
        KT_ASSERT(i < KTP_NODES && !seen[i]);
        seen[i] = 1;
    }
    KT_EQ(count, KTP_NODES);
}
