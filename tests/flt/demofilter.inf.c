/* tests/flt/demofilter.inf.c - the demo minifilter's INF: instance and altitude. */
#include <irqlab/fltinf.h>
IRQLAB_MINIFILTER_INF_ENTRY(DemoFilter, L"\\Driver\\DemoFilter", L"DemoFilter Instance", L"370030", 0);
