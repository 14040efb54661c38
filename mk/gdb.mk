# mk/gdb.mk - `make gdb`: the kernel under QEMU's gdb stub on a free port (GDBPORT=N to choose),
# serial console in build/serial.log, gdb with the IRQLab commands (tools/gdb/irqlab.py) and
# stops on bug checks (debug=break) and DbgBreakPoint (kd). GDB_ATTACH=no only starts QEMU and
# prints the line to attach with.
GDBPORT ?=
GDB_ATTACH ?= yes
.PHONY: gdb
gdb: tools $(B)/kernel.bin
	@tools/need.sh gdb gdb
	@QEMU="$(QEMU) $(QEMU_FLAGS) -accel $(ACCEL)" B=$(B) GDBPORT="$(GDBPORT)" RUN_APPEND="$(RUN_APPEND)" \
	  GDB_ATTACH="$(GDB_ATTACH)" tools/gdb/run.sh

# The host tests drive gdb (tests/host/gdb_helpers.sh) and check the IRP journey picture with a
# real XML parser and renderer (tests/host/demo_run.sh), so `make test` needs these too.
.PHONY: tools-debug
tools: tools-debug
tools-debug:
	@tools/need.sh gdb gdb
	@tools/need.sh rsvg-convert librsvg2-bin
	@tools/need.sh xmllint libxml2-utils
