# file: drivers/ramdisk/rdisr.c
# suites: fsstack
# rule: by default (ramdisk.batch=1) each queued command gets its own interrupt
s/^    for (ULONG n = 1; irp && n < ext->Batch; n++) {$/    for (ULONG n = 1; irp \&\& n < 8; n++) {/
