/* rtl/strsafe.c - the ntstrsafe.h routines: bounded copy, concatenation, length and printf
 * into narrow and wide buffers, always terminated, with the WDK's status codes. IRQL: any. */
#include <ntstrsafe.h>

int RtlpFormat(char *buf, size_t size, const char *fmt, va_list ap);

size_t wcslen(const unsigned short *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static NTSTATUS RtlpCopyA(char *d, size_t cch, const char *s, size_t max)
{
    if (cch == 0 || cch > NTSTRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    size_t i = 0;
    for (; i + 1 < cch && i < max && s[i]; i++)
        d[i] = s[i];
    d[i] = 0;
    return (i < max && s[i]) ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

static NTSTATUS RtlpCopyW(WCHAR *d, size_t cch, const WCHAR *s, size_t max)
{
    if (cch == 0 || cch > NTSTRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    size_t i = 0;
    for (; i + 1 < cch && i < max && s[i]; i++)
        d[i] = s[i];
    d[i] = 0;
    return (i < max && s[i]) ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTATUS RtlStringCbCopyA(NTSTRSAFE_PSTR Dest, size_t cbDest, NTSTRSAFE_PCSTR Src)
{
    return RtlpCopyA(Dest, cbDest, Src, NTSTRSAFE_MAX_CCH);
}
NTSTATUS RtlStringCchCopyA(NTSTRSAFE_PSTR Dest, size_t cchDest, NTSTRSAFE_PCSTR Src)
{
    return RtlpCopyA(Dest, cchDest, Src, NTSTRSAFE_MAX_CCH);
}
NTSTATUS RtlStringCbCopyW(NTSTRSAFE_PWSTR Dest, size_t cbDest, NTSTRSAFE_PCWSTR Src)
{
    return RtlpCopyW(Dest, cbDest / sizeof(WCHAR), Src, NTSTRSAFE_MAX_CCH);
}
NTSTATUS RtlStringCchCopyW(NTSTRSAFE_PWSTR Dest, size_t cchDest, NTSTRSAFE_PCWSTR Src)
{
    return RtlpCopyW(Dest, cchDest, Src, NTSTRSAFE_MAX_CCH);
}
NTSTATUS RtlStringCbCopyNW(NTSTRSAFE_PWSTR Dest, size_t cbDest, NTSTRSAFE_PCWSTR Src, size_t cbToCopy)
{
    NTSTATUS st = RtlpCopyW(Dest, cbDest / sizeof(WCHAR), Src, cbToCopy / sizeof(WCHAR));
    return st;
}

NTSTATUS RtlStringCbCatA(NTSTRSAFE_PSTR Dest, size_t cbDest, NTSTRSAFE_PCSTR Src)
{
    if (cbDest == 0 || cbDest > NTSTRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    size_t n = 0;
    while (n < cbDest && Dest[n])
        n++;
    if (n == cbDest)
        return STATUS_INVALID_PARAMETER; /* the destination was not terminated */
    return RtlpCopyA(Dest + n, cbDest - n, Src, NTSTRSAFE_MAX_CCH);
}
NTSTATUS RtlStringCchCatW(NTSTRSAFE_PWSTR Dest, size_t cchDest, NTSTRSAFE_PCWSTR Src)
{
    if (cchDest == 0 || cchDest > NTSTRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    size_t n = 0;
    while (n < cchDest && Dest[n])
        n++;
    if (n == cchDest)
        return STATUS_INVALID_PARAMETER;
    return RtlpCopyW(Dest + n, cchDest - n, Src, NTSTRSAFE_MAX_CCH);
}
NTSTATUS RtlStringCbCatW(NTSTRSAFE_PWSTR Dest, size_t cbDest, NTSTRSAFE_PCWSTR Src)
{
    return RtlStringCchCatW(Dest, cbDest / sizeof(WCHAR), Src);
}

NTSTATUS RtlStringCbLengthA(NTSTRSAFE_PCSTR Psz, size_t cbMax, size_t *pcbLength)
{
    size_t n = 0;
    if (!Psz || cbMax == 0 || cbMax > NTSTRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    while (n < cbMax && Psz[n])
        n++;
    if (pcbLength)
        *pcbLength = n < cbMax ? n : 0;
    return n < cbMax ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}
NTSTATUS RtlStringCchLengthW(NTSTRSAFE_PCWSTR Psz, size_t cchMax, size_t *pcchLength)
{
    size_t n = 0;
    if (!Psz || cchMax == 0 || cchMax > NTSTRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    while (n < cchMax && Psz[n])
        n++;
    if (pcchLength)
        *pcchLength = n < cchMax ? n : 0;
    return n < cchMax ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}
NTSTATUS RtlStringCbLengthW(NTSTRSAFE_PCWSTR Psz, size_t cbMax, size_t *pcbLength)
{
    size_t cch = 0;
    NTSTATUS st = RtlStringCchLengthW(Psz, cbMax / sizeof(WCHAR), &cch);
    if (pcbLength)
        *pcbLength = cch * sizeof(WCHAR);
    return st;
}

NTSTATUS RtlStringCchVPrintfA(NTSTRSAFE_PSTR Dest, size_t cchDest, NTSTRSAFE_PCSTR Format, va_list ArgList)
{
    if (cchDest == 0 || cchDest > NTSTRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    int n = RtlpFormat(Dest, cchDest, Format, ArgList);
    return (size_t)n >= cchDest ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}
NTSTATUS RtlStringCbVPrintfA(NTSTRSAFE_PSTR Dest, size_t cbDest, NTSTRSAFE_PCSTR Format, va_list ArgList)
{
    return RtlStringCchVPrintfA(Dest, cbDest, Format, ArgList);
}
NTSTATUS RtlStringCbPrintfA(NTSTRSAFE_PSTR Dest, size_t cbDest, NTSTRSAFE_PCSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    NTSTATUS st = RtlStringCchVPrintfA(Dest, cbDest, Format, ap);
    va_end(ap);
    return st;
}
NTSTATUS RtlStringCchPrintfA(NTSTRSAFE_PSTR Dest, size_t cchDest, NTSTRSAFE_PCSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    NTSTATUS st = RtlStringCchVPrintfA(Dest, cchDest, Format, ap);
    va_end(ap);
    return st;
}

/* A wide format string in the narrow engine's terms: in wide printf %s and %c take wide
 * arguments and %S / %hs narrow ones, so %s becomes %ws and %S becomes %hs. */
static BOOLEAN RtlpNarrowFormat(char *out, size_t size, PCWSTR fmt)
{
    size_t o = 0;
    for (; *fmt; fmt++) {
        if (o + 4 >= size)
            return FALSE;
        out[o++] = (char)(*fmt < 128 ? *fmt : '?');
        if (*fmt != '%')
            continue;
        fmt++;
        BOOLEAN sized = FALSE;
        while (*fmt && !((*fmt >= 'a' && *fmt <= 'z') || (*fmt >= 'A' && *fmt <= 'Z') || *fmt == '%')) {
            out[o++] = (char)*fmt++;
            if (o + 4 >= size)
                return FALSE;
        }
        while (*fmt == 'l' || *fmt == 'h' || *fmt == 'w' || *fmt == 'I' || *fmt == 'z' || *fmt == '6' ||
               *fmt == '4') {
            sized = TRUE;
            out[o++] = (char)*fmt++;
            if (o + 4 >= size)
                return FALSE;
        }
        if (!*fmt)
            break;
        if (*fmt == 's' && !sized)
            out[o++] = 'w', out[o++] = 's';
        else if (*fmt == 'S' && !sized)
            out[o++] = 'h', out[o++] = 's';
        else
            out[o++] = (char)*fmt;
    }
    out[o] = 0;
    return TRUE;
}

NTSTATUS RtlStringCchVPrintfW(NTSTRSAFE_PWSTR Dest, size_t cchDest, NTSTRSAFE_PCWSTR Format, va_list ArgList)
{
    char fmt[256], text[1024];
    if (cchDest == 0 || cchDest > NTSTRSAFE_MAX_CCH)
        return STATUS_INVALID_PARAMETER;
    if (!RtlpNarrowFormat(fmt, sizeof(fmt), Format))
        return STATUS_INVALID_PARAMETER;
    int n = RtlpFormat(text, sizeof(text), fmt, ArgList);
    size_t i = 0;
    for (; i + 1 < cchDest && i < (size_t)n && i + 1 < sizeof(text); i++)
        Dest[i] = (UCHAR)text[i];
    Dest[i] = 0;
    return i < (size_t)n ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}
NTSTATUS RtlStringCbVPrintfW(NTSTRSAFE_PWSTR Dest, size_t cbDest, NTSTRSAFE_PCWSTR Format, va_list ArgList)
{
    return RtlStringCchVPrintfW(Dest, cbDest / sizeof(WCHAR), Format, ArgList);
}
NTSTATUS RtlStringCbPrintfW(NTSTRSAFE_PWSTR Dest, size_t cbDest, NTSTRSAFE_PCWSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    NTSTATUS st = RtlStringCchVPrintfW(Dest, cbDest / sizeof(WCHAR), Format, ap);
    va_end(ap);
    return st;
}
NTSTATUS RtlStringCchPrintfW(NTSTRSAFE_PWSTR Dest, size_t cchDest, NTSTRSAFE_PCWSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    NTSTATUS st = RtlStringCchVPrintfW(Dest, cchDest, Format, ap);
    va_end(ap);
    return st;
}

/* Copies as much of Src as fits in Dest->MaximumLength. */
NTSTATUS RtlUnicodeStringCopy(PUNICODE_STRING Dest, PCUNICODE_STRING Src)
{
    USHORT n = Src->Length <= Dest->MaximumLength ? Src->Length : Dest->MaximumLength;
    RtlCopyMemory(Dest->Buffer, Src->Buffer, n);
    Dest->Length = n & ~1;
    return n == Src->Length ? STATUS_SUCCESS : STATUS_BUFFER_OVERFLOW;
}
