/* tests/flt/passfilter.inf.c - the pass-through minifilter's INF: its instance and altitude
 * (what Windows reads from the service's Instances registry key). */
#include <irqlab/fltinf.h>
IRQLAB_MINIFILTER_INF_ENTRY(PassFilter, L"\\Driver\\PassFilter", L"PassFilter Instance", L"385100", 0);
