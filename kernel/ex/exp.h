/* ex/exp.h - private interface of the executive files (resources, lookaside lists). */
#pragma once
#include "../ke/ki.h"

/* Resources (resource.c, resrule.c). */
extern const CHAR ExpIrqlExApcLte3Rule[];
extern LIST_ENTRY ExpSystemResourcesList;
VOID ExpCheckApcLevelRule(PERESOURCE Resource, PVOID Caller);
VOID ExpCheckApcsDisabled(PERESOURCE Resource, ULONG Subcode);
VOID ExpListResource(PERESOURCE Resource);
BOOLEAN ExpUnlistResource(PERESOURCE Resource);
