/* rtl/format.c - the printf engine behind DbgPrint, RtlpFormatString and ntstrsafe.h: the subset
 * kernel code uses, plus %ws / %S (wide string) and %wZ (UNICODE_STRING) as in WDM. */
#include <ntddk.h>
#include <stdarg.h>

typedef struct { char *Buf; size_t Size, Len; } FMT_OUT;

static void RtlpPut(FMT_OUT *o, char c)
{
    if (o->Len + 1 < o->Size)
        o->Buf[o->Len] = c;
    o->Len++;
}

static void RtlpPutNumber(FMT_OUT *o, ULONG64 v, ULONG base, BOOLEAN neg, int width, char pad, BOOLEAN upper)
{
    char tmp[24];
    int n = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    if (neg)
        tmp[n++] = '-';
    for (int i = n; i < width; i++)
        RtlpPut(o, pad);
    while (n)
        RtlpPut(o, tmp[--n]);
}

int RtlpFormat(char *buf, size_t size, const char *fmt, va_list ap)
{
    FMT_OUT o = { buf, size, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            RtlpPut(&o, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0, precision = -1;
        BOOLEAN left = FALSE, wide = FALSE;
        if (*fmt == '-') left = TRUE, fmt++;
        if (*fmt == '0') pad = '0', fmt++;
        if (*fmt == '*') width = va_arg(ap, int), fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        if (*fmt == '.') /* a precision: at most that many characters of a string */
            for (precision = 0, fmt++; *fmt >= '0' && *fmt <= '9';)
                precision = precision * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z' || *fmt == 'I' || *fmt == 'h' || *fmt == 'w') {
            if (*fmt == 'w') wide = TRUE;
            else if (*fmt == 'l' || *fmt == 'z') longs++;
            else if (*fmt == 'I') { longs = 2; if (fmt[1] == '6' && fmt[2] == '4') fmt += 2; }
            fmt++;
        }
        switch (*fmt) {
        case 'd': case 'i': {
            LONG64 v = longs ? va_arg(ap, LONG64) : va_arg(ap, int);
            RtlpPutNumber(&o, v < 0 ? -(ULONG64)v : (ULONG64)v, 10, v < 0, width, pad, FALSE);
            break;
        }
        case 'u': case 'x': case 'X': {
            ULONG64 v = longs ? va_arg(ap, ULONG64) : va_arg(ap, unsigned);
            RtlpPutNumber(&o, v, *fmt == 'u' ? 10 : 16, FALSE, width, pad, *fmt == 'X');
            break;
        }
        case 'p':
            RtlpPutNumber(&o, (ULONG64)va_arg(ap, void *), 16, FALSE, 16, '0', FALSE);
            break;
        case 'c':
            RtlpPut(&o, (char)va_arg(ap, int));
            break;
        case 's': case 'S': case 'Z': {
            int n = 0;
            if (*fmt == 'Z') { /* %wZ */
                PCUNICODE_STRING u = va_arg(ap, PCUNICODE_STRING);
                for (USHORT i = 0; u && i < u->Length / 2; i++, n++)
                    RtlpPut(&o, u->Buffer[i] < 128 ? (char)u->Buffer[i] : '?');
            } else if (wide || *fmt == 'S') {
                PCWSTR w = va_arg(ap, PCWSTR);
                for (; w && *w; w++, n++)
                    RtlpPut(&o, *w < 128 ? (char)*w : '?');
            } else {
                const char *s = va_arg(ap, const char *);
                if (!s) s = "(null)";
                int len = (int)strlen(s);
                if (precision >= 0 && len > precision)
                    len = precision;
                if (!left) for (int i = len; i < width; i++) RtlpPut(&o, ' ');
                for (int i = 0; i < len; i++) RtlpPut(&o, s[i]);
                n = len;
            }
            if (left) for (int i = n; i < width; i++) RtlpPut(&o, ' ');
            break;
        }
        case '%':
            RtlpPut(&o, '%');
            break;
        default:
            RtlpPut(&o, '%');
            RtlpPut(&o, *fmt);
            break;
        }
        if (!*fmt)
            break;
    }
    if (o.Size)
        o.Buf[o.Len < o.Size ? o.Len : o.Size - 1] = 0;
    return (int)o.Len;
}

/* IRQL: any. */
int RtlpFormatString(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = RtlpFormat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
