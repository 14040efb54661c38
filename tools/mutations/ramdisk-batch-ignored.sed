# file: drivers/ramdisk/rdisr.c
# suites: fsstack
# rule: with ramdisk.batch=N one interrupt's DPC completes the command in flight and up to N - 1 queued behind it
s/^    for (ULONG n = 1; irp && n < ext->Batch; n++) {$/    for (ULONG n = 1; irp \&\& n < 1; n++) {/
