# file: kernel/hal/vga.c
# suites: vga
# rule: a long line on the VGA screen breaks at its last space, not inside a word
s/    while (cut > cont \&\& (row\[cut - 1\] \& 0xFF) != ' ')/    while (0)/
