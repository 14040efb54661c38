# CcCopyRead with Wait FALSE reads from the disk instead of answering FALSE.
# file: kernel/cc/cccopy.c
# catches: fastio
s/    if (!Wait) { \/\* all or nothing: look before copying anything \*\//    if (0) {/
