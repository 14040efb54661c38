/* tests/flt/pendfilter.inf.c - the pending minifilter's INF: instance and altitude. */
#include <irqlab/fltinf.h>
IRQLAB_MINIFILTER_INF_ENTRY(PendFilter, L"\\Driver\\PendFilter", L"PendFilter Instance", L"370000", 0);
