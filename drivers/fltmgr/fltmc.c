/* drivers/fltmgr/fltmc.c - what `fltmc filters` and `fltmc instances` print on Windows: every
 * minifilter with its altitude and instance count, then each volume's instances, top first. */
#include "fltmgrp.h"

static VOID FltpPrintWide(PCUNICODE_STRING S, ULONG Width)
{
    CHAR buf[72];
    ULONG i = 0;
    for (; i < S->Length / 2 && i + 1 < sizeof(buf); i++)
        buf[i] = S->Buffer[i] < 128 ? (CHAR)S->Buffer[i] : '?';
    for (; i < Width && i + 1 < sizeof(buf); i++)
        buf[i] = ' ';
    buf[i] = 0;
    DbgPrint("%s", buf);
}

/* IRQL == PASSIVE_LEVEL (the lists change only at PASSIVE_LEVEL). */
VOID FltMgrDumpFilters(void)
{
    DbgPrint("Filter Name                     Num Instances    Altitude    Frame\n");
    DbgPrint("------------------------------  -------------  ------------  -----\n");
    for (PLIST_ENTRY l = FltpGlobals.Filters.Flink; l != &FltpGlobals.Filters; l = l->Flink) {
        PFLT_FILTER f = CONTAINING_RECORD(l, FLT_FILTER, Link);
        ULONG n = 0;
        for (PLIST_ENTRY k = f->Instances.Flink; k != &f->Instances; k = k->Flink)
            n++;
        FltpPrintWide(&f->Driver->DriverName, 32);
        DbgPrint("%13u  %12u  %5u\n", n, f->Altitude, 0u);
    }
    DbgPrint("\nVolume Name                     Instance Name                   Altitude\n");
    DbgPrint("------------------------------  ------------------------------  --------\n");
    for (PLIST_ENTRY l = FltpGlobals.Volumes.Flink; l != &FltpGlobals.Volumes; l = l->Flink) {
        PFLT_VOLUME v = CONTAINING_RECORD(l, FLT_VOLUME, Link);
        for (PLIST_ENTRY k = v->Instances.Flink; k != &v->Instances; k = k->Flink) {
            PFLT_INSTANCE i = CONTAINING_RECORD(k, FLT_INSTANCE, VolumeLink);
            FltpPrintWide(&v->Name, 32);
            FltpPrintWide(&i->Name, 32);
            DbgPrint("%8u\n", i->Altitude);
        }
    }
}
