/* string.h - the freestanding part of the C library the kernel implements (kernel/rtl/),
 * so drivers that include <string.h> for memcpy/strlen build unchanged. IRQL: any. */
#pragma once
#include <stddef.h>
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
size_t wcslen(const unsigned short *s);
