# kernel/ke/tbflush.c: flush only the local TLB (caught by smptlb.*)
s/^    if (KiActiveProcessorCount < 2)$/    if (1)/
