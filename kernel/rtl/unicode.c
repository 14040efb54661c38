/* rtl/unicode.c - counted UTF-16 strings as WDM defines them. Case folding covers ASCII and
 * Latin-1, which is what FAT 8.3 names and this kernel's object names use. */
#include <ntddk.h>

/* IRQL: any (the source must be resident). */
VOID RtlInitUnicodeString(PUNICODE_STRING Dest, PCWSTR Source)
{
    SIZE_T n = 0;
    if (Source)
        while (Source[n])
            n++;
    Dest->Buffer = (PWSTR)Source;
    Dest->Length = (USHORT)(n * sizeof(WCHAR));
    Dest->MaximumLength = Source ? (USHORT)(Dest->Length + sizeof(WCHAR)) : 0;
}

/* IRQL: any. */
WCHAR RtlUpcaseUnicodeChar(WCHAR c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7))
        return (WCHAR)(c - 0x20);
    return c;
}

/* IRQL: any. */
BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING a, PCUNICODE_STRING b, BOOLEAN CaseInsensitive)
{
    if (a->Length != b->Length)
        return FALSE;
    for (USHORT i = 0; i < a->Length / sizeof(WCHAR); i++) {
        WCHAR x = a->Buffer[i], y = b->Buffer[i];
        if (CaseInsensitive) {
            x = RtlUpcaseUnicodeChar(x);
            y = RtlUpcaseUnicodeChar(y);
        }
        if (x != y)
            return FALSE;
    }
    return TRUE;
}
