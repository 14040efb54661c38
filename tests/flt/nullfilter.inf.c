/* tests/flt/nullfilter.inf.c - the null minifilter's INF: instance and altitude. */
#include <irqlab/fltinf.h>
IRQLAB_MINIFILTER_INF_ENTRY(NullFilter, L"\\Driver\\NullFilter", L"NullFilter Instance", L"370020", 0);
