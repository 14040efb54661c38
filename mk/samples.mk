# mk/samples.mk - the WDK-style sample drivers in drivers/samples/<name>/: each built by
# tools/wdkbuild.sh as its own driver (alloc_text honoured, only DriverEntry exported, as
# WdkSample_<name>_DriverEntry) and linked into the kernel, where tests/wdk/ loads them.
SAMPLES := $(notdir $(wildcard drivers/samples/*))
SAMPLE_OBJS := $(patsubst %,$(B)/samples/%.o,$(SAMPLES))

define SAMPLE_RULE
$(B)/samples/$(1).o: $(wildcard drivers/samples/$(1)/*) $(wildcard include/*.h include/wdm/*.h) tools/wdkbuild.sh
	@mkdir -p $(B)/samples
	@echo "  WDK $(1)"; CC="$(CC)" CFLAGS="$(filter-out -MMD -MP,$(CFLAGS))" LD="$(LD)" OBJCOPY="$(OBJCOPY)" tools/wdkbuild.sh $(1) $$@
endef
$(foreach s,$(SAMPLES),$(eval $(call SAMPLE_RULE,$(s))))

OBJS += $(SAMPLE_OBJS)
$(B)/kernel.elf: $(SAMPLE_OBJS)
