# mk/run.mk - `make run`: the demo (tests/demo/), then the host checks the disk it wrote back and
# draws the IRP journey (tools/run.sh). DISK=my.img serves a FAT image of your own, MEM=MiB sets
# the guest memory (default: enough for the disk), DISPLAY=1 opens a VGA window.
DISK ?=
MEM ?=
.PHONY: run
run: tools $(B)/kernel.bin
	@tools/need.sh fsck.fat dosfstools
	@tools/need.sh rsvg-convert librsvg2-bin
	@QEMU="$(QEMU) $(filter-out -m 512M -display none,$(QEMU_FLAGS)) -accel $(ACCEL)" KERNEL=$(B)/kernel.bin B=$(B) \
	  DISK="$(DISK)" MEM="$(MEM)" RUN_APPEND="$(RUN_APPEND)" DISPLAY_WINDOW="$(DISPLAY)" PYTHON=$(PYTHON) tools/run.sh
