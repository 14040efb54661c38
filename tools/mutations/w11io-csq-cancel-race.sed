# IoCsqRemoveIrp/RemoveNextIrp taking an IRP out without clearing its cancel routine: the
# driver then completes an IRP whose cancel routine is set (0xC9/0x07), or a cancel races it.
# Caught by wdk_csq.reads_wait_in_the_queue_until_released_in_order
# file: io/csq.c
# catches: wdk_csq
s/    if (!IoSetCancelRoutine(Irp, NULL))/    if (!Irp->CancelRoutine)/
