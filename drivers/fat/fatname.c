/* fatname.c - naming rules: long-name validation, exact 8.3 forms with NT case flags,
 * NAME~N aliases, the LFN checksum, and case-insensitive comparison. */
#include "fatp.h"

WCHAR FatUpcase(WCHAR C)
{
    return RtlUpcaseUnicodeChar(C);
}

BOOLEAN FatNamesEqual(PCWSTR A, ULONG ALength, PCWSTR B, ULONG BLength)
{
    if (ALength != BLength)
        return FALSE;
    for (ULONG I = 0; I < ALength; I++)
        if (A[I] != B[I] && FatUpcase(A[I]) != FatUpcase(B[I]))
            return FALSE;
    return TRUE;
}

static BOOLEAN FatpIsIllegalLongChar(WCHAR C)
{
    if (C < 0x20)
        return TRUE;
    switch (C) {
    case '"': case '*': case '/': case ':': case '<': case '>': case '?': case '\\': case '|':
        return TRUE;
    }
    return FALSE;
}

ULONG FatValidateLongName(PCWSTR Name, ULONG Length)
{
    /* Windows drops trailing dots and blanks, so "a." and "a" name the same file. */
    while (Length && (Name[Length - 1] == '.' || Name[Length - 1] == ' '))
        Length--;
    if (Length == 0 || Length > FAT_MAX_NAME_CHARS)
        return 0;
    for (ULONG I = 0; I < Length; I++)
        if (FatpIsIllegalLongChar(Name[I]))
            return 0;
    return Length;
}

BOOLEAN FatIsValidShortChar(UCHAR C)
{
    if (C <= 0x20 || C >= 0x7F)
        return FALSE;
    switch (C) {
    case '"': case '*': case '+': case ',': case '.': case '/': case ':': case ';': case '<':
    case '=': case '>': case '?': case '[': case '\\': case ']': case '|':
        return FALSE;
    }
    return TRUE;
}

static BOOLEAN FatpIsLower(WCHAR C) { return C >= 'a' && C <= 'z'; }
static BOOLEAN FatpIsUpper(WCHAR C) { return C >= 'A' && C <= 'Z'; }

/* Fill Count short-name bytes from Part; fails on characters 8.3 cannot hold or on a part
 * mixing cases (which only an LFN can preserve). */
static BOOLEAN FatpShortPart(PCWSTR Part, ULONG Count, PUCHAR Out, PBOOLEAN Lower)
{
    BOOLEAN SawLower = FALSE, SawUpper = FALSE;

    for (ULONG I = 0; I < Count; I++) {
        WCHAR C = Part[I];
        if (C >= 0x80)
            return FALSE;
        SawLower |= FatpIsLower(C);
        SawUpper |= FatpIsUpper(C);
        C = FatpIsLower(C) ? (WCHAR)(C - 32) : C;
        if (!FatIsValidShortChar((UCHAR)C))
            return FALSE;
        Out[I] = (UCHAR)C;
    }
    *Lower = SawLower;
    return !(SawLower && SawUpper);
}

BOOLEAN FatMakeShortName(PCWSTR Name, ULONG Length, UCHAR Short[11], PUCHAR NtRes)
{
    ULONG Dot = Length;
    BOOLEAN LowerBase, LowerExt = FALSE;

    for (ULONG I = 0; I < Length; I++) {
        if (Name[I] == '.') {
            if (Dot != Length)
                return FALSE;
            Dot = I;
        }
    }
    if (Dot == 0 || Dot > 8 || (Dot < Length && (Length - Dot - 1 == 0 || Length - Dot - 1 > 3)))
        return FALSE;
    RtlFillMemory(Short, 11, ' ');
    if (!FatpShortPart(Name, Dot, Short, &LowerBase))
        return FALSE;
    if (Dot < Length && !FatpShortPart(Name + Dot + 1, Length - Dot - 1, Short + 8, &LowerExt))
        return FALSE;
    *NtRes = (UCHAR)((LowerBase ? FAT_NTRES_LOWER_BASE : 0) | (LowerExt ? FAT_NTRES_LOWER_EXT : 0));
    return TRUE;
}

static UCHAR FatpAliasChar(WCHAR C)
{
    if (FatpIsLower(C))
        return (UCHAR)(C - 32);
    if (C < 0x80 && FatIsValidShortChar((UCHAR)C))
        return (UCHAR)C;
    return '_';
}

VOID FatMakeAlias(PCWSTR Name, ULONG Length, ULONG Tail, UCHAR Short[11])
{
    ULONG LastDot = Length, Lead = 0, BaseLen = 0, ExtLen = 0, Digits = 0;
    UCHAR Num[8];

    /* Leading dots are dropped, so ".profile" is a base name with no extension. */
    while (Lead < Length && Name[Lead] == '.')
        Lead++;
    for (ULONG I = Lead; I < Length; I++)
        if (Name[I] == '.')
            LastDot = I;
    RtlFillMemory(Short, 11, ' ');
    for (ULONG I = Lead; I < LastDot && BaseLen < 8; I++)
        if (Name[I] != ' ' && Name[I] != '.')
            Short[BaseLen++] = FatpAliasChar(Name[I]);
    for (ULONG I = LastDot + 1; I < Length && ExtLen < 3; I++)
        if (Name[I] != ' ' && Name[I] != '.')
            Short[8 + ExtLen++] = FatpAliasChar(Name[I]);
    if (BaseLen == 0)
        Short[BaseLen++] = '_';
    if (Tail == 0)
        return;
    do {
        Num[Digits++] = (UCHAR)('0' + Tail % 10);
        Tail /= 10;
    } while (Tail && Digits < 6);
    if (BaseLen > 7 - Digits)
        BaseLen = 7 - Digits;
    for (ULONG I = BaseLen; I < 8; I++)
        Short[I] = ' ';
    Short[BaseLen++] = '~';
    while (Digits)
        Short[BaseLen++] = Num[--Digits];
}

UCHAR FatShortChecksum(const UCHAR Short[11])
{
    UCHAR Sum = 0;
    for (ULONG I = 0; I < 11; I++)
        Sum = (UCHAR)(((Sum & 1) << 7) + (Sum >> 1) + Short[I]);
    return Sum;
}

/* Bytes above 0x7F are taken as Latin-1; no OEM code page tables exist in the kernel. */
static WCHAR FatpShortToWide(UCHAR C, BOOLEAN Lower)
{
    if (Lower && C >= 'A' && C <= 'Z')
        return (WCHAR)(C + 32);
    return C;
}

USHORT FatShortToDisplay(const UCHAR Short[11], UCHAR NtRes, WCHAR Out[13])
{
    USHORT N = 0;
    ULONG BaseEnd = 8, ExtEnd = 11;

    while (BaseEnd && Short[BaseEnd - 1] == ' ')
        BaseEnd--;
    while (ExtEnd > 8 && Short[ExtEnd - 1] == ' ')
        ExtEnd--;
    for (ULONG I = 0; I < BaseEnd; I++) {
        UCHAR C = (I == 0 && Short[0] == FAT_KANJI_E5) ? FAT_DELETED_MARK : Short[I];
        Out[N++] = FatpShortToWide(C, (NtRes & FAT_NTRES_LOWER_BASE) != 0);
    }
    if (ExtEnd > 8) {
        Out[N++] = '.';
        for (ULONG I = 8; I < ExtEnd; I++)
            Out[N++] = FatpShortToWide(Short[I], (NtRes & FAT_NTRES_LOWER_EXT) != 0);
    }
    Out[N] = 0;
    return N;
}
