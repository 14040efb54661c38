/* wdm.h - the WDK header name; everything a driver needs comes with <ntddk.h> here.
 * Drivers written against the WDK include it unchanged. */
#pragma once
#include <ntddk.h>
