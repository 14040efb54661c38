# mk/run.mk - `make run`: the demo (tests/demo/), then the host checks the disk it wrote back and
# draws the IRP journey (tools/run.sh). DISK=my.img serves a FAT image of your own, MEM=MiB sets
# the guest memory (default: enough for the disk), DISPLAY=1 opens a VGA window.
DISK ?=
MEM ?=
.PHONY: run
# Two processors unless SMP says otherwise; with several, the disk interrupts processor 1
# (ramdisk.cpu=1, unless RUN_APPEND names another), so a completion routine visibly runs on
# another processor than its requester's.
run: QSMP = $(RUN_SMP)
RUN_SMP := $(if $(filter command line environment,$(origin SMP)),$(SMP),2)
RUN_SMP_APPEND = $(if $(filter-out 1,$(QSMP)),$(if $(findstring ramdisk.cpu,$(RUN_APPEND)),,ramdisk.cpu=1))
run: tools $(B)/kernel.bin
	@tools/need.sh fsck.fat dosfstools
	@tools/need.sh rsvg-convert librsvg2-bin
	@QEMU="$(QEMU) $(filter-out -m 512M -display none,$(QEMU_FLAGS)) -accel $(ACCEL)" KERNEL=$(B)/kernel.bin B=$(B) \
	  DISK="$(DISK)" MEM="$(MEM)" RUN_APPEND="$(strip $(RUN_APPEND) $(RUN_SMP_APPEND))" DISPLAY_WINDOW="$(DISPLAY)" PYTHON=$(PYTHON) tools/run.sh
