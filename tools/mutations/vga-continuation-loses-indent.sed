# file: kernel/hal/vga.c
# suites: vga
# rule: a wrapped line goes on under its own indent plus two
s/ULONG cont = HalpIndent + 2 < VGA_COLS \/ 2 ? HalpIndent + 2 : VGA_COLS \/ 2, cut = VGA_COLS;/ULONG cont = 0, cut = VGA_COLS;/
