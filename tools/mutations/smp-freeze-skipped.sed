# kernel/ke/freeze.c: the bug check does not stop the other processors (caught by smpipi.bug_check_freezes_every_processor)
s/^            HalSendNmi(KiProcessorBlock\[n\].ApicId);$/            (void)0;/
