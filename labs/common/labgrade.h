/* labs/common/labgrade.h - helpers for the labs' grader tests (kernel side): failure reasons
 * in the student's terms, the IRP trace in every stop report, IOCTLs to a lab's device. */
#pragma once
#include "../../tests/ktest.h"

/* Prints "# LAB: <reason>" (tools/grade.py shows these lines to the student) and fails the
 * test. The reason should say what the student's driver did and which rule it broke. */
VOID GradeSay(PCSTR Format, ...) __attribute__((format(printf, 1, 2)));
#define LAB_CHECK(cond, ...)                                                   \
    do {                                                                       \
        if (!(cond)) {                                                         \
            GradeSay(__VA_ARGS__);                                               \
            KtFail(__FILE__, __LINE__, "%s", #cond);                           \
            return;                                                            \
        }                                                                      \
    } while (0)

/* Every grader test calls this first: from then on a stop report ends with the IRP trace. */
VOID GradeBegin(void);

/* IRQL == PASSIVE_LEVEL. Opens \Device\Name directly and sends one buffered IOCTL, waiting
 * for it if it pends. Returns the final status; *Information gets IoStatus.Information. */
NTSTATUS GradeIoctl(PCWSTR DeviceName, ULONG Code, PVOID In, ULONG InLength, PVOID Out, ULONG OutLength,
                  PULONG_PTR Information);

/* IRQL: any. The kernel symbol at or below Address ("?" if none). */
PCSTR GradeSymbol(PVOID Address);
