# kernel/ke/dpc.c: targeted DPCs go to the current processor (caught by smpdpc.*, smptlb.*)
s/^    if ((Dpc->Number \& KI_DPC_TARGETED) \&\&/    if (0 \&\&/
