/* ke/cmdline.c - boot options from the Multiboot command line: space-separated words,
 * each "name" or "name=value". Read-only after boot, so no locking. Which options exist and
 * what they accept is the table in ke/bootopts.c, checked once at boot. */
#include "ki.h"

static PCSTR KipFindOption(PCSTR Name)
{
    SIZE_T n = strlen(Name);
    PCSTR p = KeLoaderBlock.CommandLine;
    while (*p) {
        while (*p == ' ')
            p++;
        if (strncmp(p, Name, n) == 0 && (p[n] == '=' || p[n] == ' ' || p[n] == 0))
            return p + n;
        while (*p && *p != ' ')
            p++;
    }
    return NULL;
}

/* IRQL: any. Returns a pointer to the value, ending at a space or NUL. */
PCSTR KiGetBootOption(PCSTR Name)
{
    PCSTR p = KipFindOption(Name);
    return (p && *p == '=') ? p + 1 : NULL;
}

BOOLEAN KiBootOptionPresent(PCSTR Name) { return KipFindOption(Name) != NULL; }

/* IRQL: any. "Name=a,b,c" has Word as one of its comma-separated items. */
BOOLEAN KiBootOptionHasWord(PCSTR Name, PCSTR Word)
{
    PCSTR p = KiGetBootOption(Name);
    SIZE_T n = strlen(Word);
    while (p && *p && *p != ' ') {
        if (strncmp(p, Word, n) == 0 && (p[n] == ',' || p[n] == ' ' || p[n] == 0))
            return TRUE;
        while (*p && *p != ',' && *p != ' ')
            p++;
        if (*p == ',')
            p++;
    }
    return FALSE;
}
