# .gdbinit - IRQLab's kernel-debugger commands (irql, irp, devstack, drvobj, pool, threads, dpcs,
# irptrace, analyze) for a plain `gdb build/kernel.elf` started in this folder. gdb reads it only
# where allowed: add "add-auto-load-safe-path /path/to/irqlab" to ~/.gdbinit (or use make gdb).
source tools/gdb/irqlab.py
