# IRQLab - build, boot, test and bench the kernel under QEMU.
# `make run` boots the demo, `make test` runs every suite, `make bench` prints the table.

# Cross toolchain by prefix: x86_64-elf-, then x86_64-linux-gnu-, then the host gcc on x86-64.
ifeq ($(origin CROSS), undefined)
CROSS := $(shell \
  if command -v x86_64-elf-gcc >/dev/null 2>&1; then echo x86_64-elf-; \
  elif command -v x86_64-linux-gnu-gcc >/dev/null 2>&1; then echo x86_64-linux-gnu-; \
  elif [ "$$(uname -m)" = x86_64 ] && command -v gcc >/dev/null 2>&1; then echo; \
  else echo x86_64-linux-gnu-; fi)
endif
CC := $(CROSS)gcc
# A toolchain named on the command line must exist: say so in one line, install nothing.
ifeq ($(origin CROSS), command line)
ifeq ($(shell command -v $(CROSS)gcc 2>/dev/null),)
$(error toolchain '$(CROSS)' is missing: $(CROSS)gcc not found (install it, or leave CROSS unset to use x86_64-elf-, x86_64-linux-gnu- or the host gcc))
endif
endif
LD := $(CROSS)ld
OBJCOPY := $(CROSS)objcopy
NM := $(CROSS)nm
QEMU ?= qemu-system-x86_64
PYTHON ?= python3
B := build

# Recursive (=) so the compiler is asked only after `make tools` has installed it.
CFLAGS = -std=gnu11 -O2 -g -ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include 2>/dev/null) \
  -mno-red-zone -mgeneral-regs-only -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
  -mcmodel=kernel -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
  -fshort-wchar -fno-strict-aliasing -Wall -Wextra -Werror -Wno-multichar -Iinclude -MMD -MP
ASFLAGS := -mcmodel=kernel -fno-pic -Iinclude -MMD -MP
LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments -T boot/linker.ld

SRCS := $(shell find boot kernel io drivers tests -path drivers/samples -prune -o \( -name '*.c' -o -name '*.S' \) -print 2>/dev/null | LC_ALL=C sort)
OBJS := $(patsubst %,$(B)/%.o,$(SRCS))

# SMP=N: processors. `make run` boots two unless told (the demo then shows a completion routine
# on the other processor); bench, gdb and kd boot SMP (default 1). Test, campaign and lab boots
# are one processor under -icount (QEMU 7.2's -icount starves a processor when there are
# several: docs/smp.md), the multiprocessor tests boot with their own smp=N, and
# `make test SMP=N` boots every suite again on N processors (SUITE@smpN).
SMP ?= 1
QSMP = $(SMP)
QEMU_FLAGS = -machine pc -cpu max -m 512M -smp $(QSMP) -no-reboot -display none \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04
ACCEL ?= tcg
RUN_APPEND ?=

.PHONY: all test bench clean tools
all: $(B)/kernel.bin

tools:
	@tools/need.sh $(CC) $(if $(CROSS),gcc-x86-64-linux-gnu,gcc)
	@tools/need.sh $(LD) $(if $(CROSS),binutils-x86-64-linux-gnu,binutils)
	@tools/need.sh $(QEMU) qemu-system-x86
	@tools/need.sh $(PYTHON) python3
	@tools/need.sh mkfs.fat dosfstools
	@tools/need.sh mcopy mtools
	@tools/need.sh grub-mkrescue grub-common
	@tools/need.sh xorriso xorriso
	@tools/need.sh /usr/lib/grub/i386-pc grub-pc-bin

$(B)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(CFLAGS) -c $< -o $@

$(B)/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS  $<"; $(CC) $(ASFLAGS) -c $< -o $@

# The built-in default disk the RAM disk serves when no -initrd image is given.
$(B)/default-disk.img: tools/mkdiskimg.sh
	@mkdir -p $(B)
	tools/mkdiskimg.sh $@ 4
$(B)/drivers/ramdisk/default_image.S.o: $(B)/default-disk.img

# Two links: the first gives the addresses, the second embeds them as the symbol table in
# .ksyms, which sits after all code and data so filling it in moves nothing.
# The list of sources is a prerequisite too: a source removed (a checkout, a deleted test)
# relinks the kernel without its stale object, which would otherwise stay in the image.
$(B)/srcs.list: FORCE
	@mkdir -p $(B); echo '$(SRCS)' | cmp -s - $@ || echo '$(SRCS)' > $@
FORCE:
$(B)/kernel.elf: $(OBJS) boot/linker.ld tools/mksyms.sh $(B)/srcs.list
	tools/mksyms.sh "" $(B)/ksyms0.S && $(CC) -c $(B)/ksyms0.S -o $(B)/ksyms0.o
	$(LD) $(LDFLAGS) -o $(B)/kernel.pass1 $(OBJS) $(B)/ksyms0.o
	tools/mksyms.sh $(B)/kernel.pass1 $(B)/ksyms.S && $(CC) -c $(B)/ksyms.S -o $(B)/ksyms.o
	$(LD) $(LDFLAGS) -o $@ $(OBJS) $(B)/ksyms.o

$(B)/kernel.bin: $(B)/kernel.elf
	$(OBJCOPY) -O binary $< $@

# Test boots run in virtual time: under -icount every guest instruction advances the clocks by
# 2^shift ns and sleep=off skips idle time, so no timing result depends on how loaded the host is.
ICOUNT ?= -icount shift=4,sleep=off -rtc clock=vm
test: QSMP = 1
test: tools $(B)/kernel.bin
	@tools/need.sh prove perl
	$(PYTHON) tools/ktest.py --kernel $(B)/kernel.bin --qemu "$(QEMU) $(QEMU_FLAGS) -accel tcg $(ICOUNT)" \
	  $(if $(filter-out 1,$(SMP)),--smp $(SMP))

# The file-system workload runs on a 64 MiB FAT16 volume, as ../shared/peer does for Linux.
$(B)/bench-fat16.img:
	@mkdir -p $(B)
	mkfs.fat -F 16 --invariant -C $@ 65536 >/dev/null

bench: tools $(B)/kernel.bin $(B)/bench-fat16.img
	cp $(B)/bench-fat16.img $(B)/bench-disk.img
	$(PYTHON) tools/kbench.py --kernel $(B)/kernel.bin --qemu "$(QEMU) $(QEMU_FLAGS)" --disk $(B)/bench-disk.img $(KBENCH_ARGS)

clean:
	rm -rf $(B)

# Components add their own targets (campaign, labs, gdb helpers ...) in mk/*.mk.
-include $(wildcard mk/*.mk)

-include $(OBJS:.o=.d)
