# file: tools/gdb/irqlab.py
# suites: host.gdb_helpers
# rule: gdb's irp command marks the IRP's current stack location with '>', as !irp does
s/            mark = ">" if i == cur else " "/            mark = " "/
