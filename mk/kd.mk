# mk/kd.mk - `make gdb-kd`: boot with the kd option under QEMU's gdb stub, with a breakpoint
# on KdBreakPointTrap, so a driver's DbgBreakPoint() stops in gdb and `continue` resumes it.
.PHONY: gdb-kd
gdb-kd: tools $(B)/kernel.bin
	@tools/need.sh gdb gdb
	$(QEMU) $(QEMU_FLAGS) -accel $(ACCEL) -serial stdio -kernel $(B)/kernel.bin -append "kd $(RUN_APPEND)" -s -S & \
	  gdb -q $(B)/kernel.elf -ex 'target remote :1234' -ex 'hbreak KdBreakPointTrap' -ex continue; \
	  kill %1 2>/dev/null || true
