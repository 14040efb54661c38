/* tests/flt/safefilter.inf.c - the safe-post minifilter's INF: instance and altitude. */
#include <irqlab/fltinf.h>
IRQLAB_MINIFILTER_INF_ENTRY(SafeFilter, L"\\Driver\\SafeFilter", L"SafeFilter Instance", L"360000", 0);
