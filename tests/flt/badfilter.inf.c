/* tests/flt/badfilter.inf.c - the broken minifilter's INF: instance and altitude. */
#include <irqlab/fltinf.h>
IRQLAB_MINIFILTER_INF_ENTRY(BadFilter, L"\\Driver\\BadFilter", L"BadFilter Instance", L"350000", 0);
