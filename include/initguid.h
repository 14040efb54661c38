/* initguid.h - included before a header that uses DEFINE_GUID, makes those GUIDs definitions
 * (with storage) in this translation unit instead of declarations. */
#pragma once
#define INITGUID
#include <guiddef.h>
#undef DEFINE_GUID
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
    const GUID name __attribute__((weak)) = { l, w1, w2, { b1, b2, b3, b4, b5, b6, b7, b8 } }
