/* ke/ksym.c - address-to-name lookup for backtraces, over the sorted table that the
 * second link embeds (tools/mksyms.sh writes it from the first link's symbols). */
#include "ki.h"

typedef struct { ULONG64 Address; PCSTR Name; } KSYMBOL;
extern const ULONG64 KiSymbolCount;
extern const KSYMBOL KiSymbolTable[];

/* IRQL: any. Nearest symbol at or below Address, or NULL outside the kernel's text. */
PCSTR KiLookupSymbol(ULONG64 Address, PULONG64 Offset)
{
    ULONG64 lo = 0, hi = KiSymbolCount;
    *Offset = 0;
    if (Address < (ULONG64)__text_start || Address >= (ULONG64)__rodata_start || hi == 0)
        return NULL;
    while (hi - lo > 1) {
        ULONG64 mid = (lo + hi) / 2;
        if (KiSymbolTable[mid].Address <= Address)
            lo = mid;
        else
            hi = mid;
    }
    if (KiSymbolTable[lo].Address > Address)
        return NULL;
    *Offset = Address - KiSymbolTable[lo].Address;
    return KiSymbolTable[lo].Name;
}
