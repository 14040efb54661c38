/* irqlab/fltinf.h - what a minifilter's INF puts in the registry on Windows (its instance and
 * altitude), which this kernel, having no registry, reads from a table the driver's INF file fills. */
#pragma once

/* One minifilter service, as its INF's [Instances] section describes it: FltRegisterFilter
 * finds the entry whose Service matches the driver object's name, and FltStartFiltering
 * attaches DefaultInstance at Altitude to every volume (unless Flags says manual, 0x1 as the
 * INF's Flags value does on Windows). A driver's source file does not change: the entry lives
 * in a file of its own beside it, the way the INF does. */
typedef struct _IRQLAB_MINIFILTER_INF {
    const unsigned short *Service;         /* L"\\Driver\\NullFilter" */
    const unsigned short *DefaultInstance; /* L"NullFilter Instance" */
    const unsigned short *Altitude;        /* L"370020": a decimal string, as in the INF */
    unsigned long Flags;                   /* IRQLAB_INF_MANUAL_ATTACHMENT */
} IRQLAB_MINIFILTER_INF;
#define IRQLAB_INF_MANUAL_ATTACHMENT 0x1

#define IRQLAB_MINIFILTER_INF_ENTRY(id, service, instance, altitude, flags)                         \
    static const IRQLAB_MINIFILTER_INF IrqlabInf_##id                                                \
        __attribute__((used, section(".kfltinf"), aligned(8))) = { service, instance, altitude, flags }
