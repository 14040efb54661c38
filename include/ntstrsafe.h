/* ntstrsafe.h - the WDK's safe string routines: every one takes the destination's size,
 * always NUL-terminates, and returns an NTSTATUS. IRQL: any (the printf forms: any, with
 * %wZ / %ws arguments in nonpaged memory above APC_LEVEL, as on Windows). */
#pragma once
#include <ntddk.h>
#include <stdarg.h>

#define NTSTRSAFE_MAX_CCH 2147483647
#define NTSTRSAFE_UNICODE_STRING_MAX_CCH 32767
typedef char *NTSTRSAFE_PSTR;
typedef const char *NTSTRSAFE_PCSTR;
typedef WCHAR *NTSTRSAFE_PWSTR;
typedef const WCHAR *NTSTRSAFE_PCWSTR;

/* Results: STATUS_SUCCESS; STATUS_BUFFER_OVERFLOW when the result was truncated (still
 * terminated); STATUS_INVALID_PARAMETER for a zero or oversized destination. The wide printf
 * forms format ASCII text: a character above 0x7F in an argument prints as '?'. */
NTSTATUS RtlStringCbPrintfA(NTSTRSAFE_PSTR Dest, size_t cbDest, NTSTRSAFE_PCSTR Format, ...);
NTSTATUS RtlStringCchPrintfA(NTSTRSAFE_PSTR Dest, size_t cchDest, NTSTRSAFE_PCSTR Format, ...);
NTSTATUS RtlStringCbVPrintfA(NTSTRSAFE_PSTR Dest, size_t cbDest, NTSTRSAFE_PCSTR Format, va_list ArgList);
NTSTATUS RtlStringCchVPrintfA(NTSTRSAFE_PSTR Dest, size_t cchDest, NTSTRSAFE_PCSTR Format, va_list ArgList);
NTSTATUS RtlStringCbPrintfW(NTSTRSAFE_PWSTR Dest, size_t cbDest, NTSTRSAFE_PCWSTR Format, ...);
NTSTATUS RtlStringCchPrintfW(NTSTRSAFE_PWSTR Dest, size_t cchDest, NTSTRSAFE_PCWSTR Format, ...);
NTSTATUS RtlStringCbVPrintfW(NTSTRSAFE_PWSTR Dest, size_t cbDest, NTSTRSAFE_PCWSTR Format, va_list ArgList);
NTSTATUS RtlStringCchVPrintfW(NTSTRSAFE_PWSTR Dest, size_t cchDest, NTSTRSAFE_PCWSTR Format, va_list ArgList);
NTSTATUS RtlStringCbCopyA(NTSTRSAFE_PSTR Dest, size_t cbDest, NTSTRSAFE_PCSTR Src);
NTSTATUS RtlStringCchCopyA(NTSTRSAFE_PSTR Dest, size_t cchDest, NTSTRSAFE_PCSTR Src);
NTSTATUS RtlStringCbCopyW(NTSTRSAFE_PWSTR Dest, size_t cbDest, NTSTRSAFE_PCWSTR Src);
NTSTATUS RtlStringCchCopyW(NTSTRSAFE_PWSTR Dest, size_t cchDest, NTSTRSAFE_PCWSTR Src);
NTSTATUS RtlStringCbCopyNW(NTSTRSAFE_PWSTR Dest, size_t cbDest, NTSTRSAFE_PCWSTR Src, size_t cbToCopy);
NTSTATUS RtlStringCbCatA(NTSTRSAFE_PSTR Dest, size_t cbDest, NTSTRSAFE_PCSTR Src);
NTSTATUS RtlStringCbCatW(NTSTRSAFE_PWSTR Dest, size_t cbDest, NTSTRSAFE_PCWSTR Src);
NTSTATUS RtlStringCchCatW(NTSTRSAFE_PWSTR Dest, size_t cchDest, NTSTRSAFE_PCWSTR Src);
NTSTATUS RtlStringCbLengthA(NTSTRSAFE_PCSTR Psz, size_t cbMax, size_t *pcbLength);
NTSTATUS RtlStringCbLengthW(NTSTRSAFE_PCWSTR Psz, size_t cbMax, size_t *pcbLength);
NTSTATUS RtlStringCchLengthW(NTSTRSAFE_PCWSTR Psz, size_t cchMax, size_t *pcchLength);
NTSTATUS RtlUnicodeStringCopy(PUNICODE_STRING Dest, PCUNICODE_STRING Src);
