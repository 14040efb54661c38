# file: kernel/ke/patch.c
# suites: kepatch,irql
# rule: while the IRQL key is off its sites are the CR8 write itself (a nop there would leave IRQL unchanged)
s/^            RtlCopyMemory(code, e->Off, 5);$/            { static const UCHAR n5[5] = { 0x0F, 0x1F, 0x44, 0, 0 }; RtlCopyMemory(code, n5, 5); }/
