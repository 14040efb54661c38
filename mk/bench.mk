# mk/bench.mk - what `make bench` adds to its file-system table: the CSV copy, and with PEER=1
# the Linux peer (../shared/peer: vfat on brd, same QEMU TCG) built and booted in the same run.
PEER ?=
PEER_DIR ?= $(firstword $(wildcard ../shared/peer /work/shared/peer))
PEER_RUNS ?= 3
KBENCH_ARGS += --csv $(B)/bench-fs.csv
# The figures are for the lean path: Verifier off (as the bench boots) and the IRP trace off, so
# IoCallDriver is inline (docs/io-fastpath.md). BENCH_APPEND= measures with the trace on.
BENCH_APPEND ?= iotrace=off
KBENCH_ARGS += $(if $(strip $(BENCH_APPEND)),--extra-append "$(BENCH_APPEND)")
ifneq ($(PEER),)
KBENCH_ARGS += --peer $(PEER_DIR) --peer-runs $(PEER_RUNS)
endif
