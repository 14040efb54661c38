# mk/labs.mk - course labs: `make lab LAB=name` boots a kernel with the student's driver and a
# narrated workload, `make grade LAB=name [SOLUTION=1|VARIANT=v]` runs the lab's grader,
# `make handout` writes the project without solutions. See docs/teachers.md.
#
# A lab kernel is the normal kernel's objects plus the lab's driver sources (the student's
# files, a submission folder's, the reference solution, or the solution with a
# wrong-solution patch applied) and
# its grader tests, linked into build/lab-NAME[-solution|-variant-V]/kernel.bin. Without
# LAB the normal kernel's build is untouched.
.PHONY: lab grade handout gdb-lab need-patch

LAB_TIMEOUT ?= 45
HANDOUT := $(B)/handout

ifneq ($(LAB),)
LAB_DIR := labs/$(LAB)
ifeq ($(wildcard $(LAB_DIR)/grade.json),)
$(error LAB=$(LAB): no such lab (labs/*/grade.json: $(notdir $(patsubst %/,%,$(dir $(wildcard labs/*/grade.json))))))
endif
# The files the student edits: every .c at the top of the lab folder.
LAB_FILES := $(notdir $(wildcard $(LAB_DIR)/*.c))
ifeq ($(SOLUTION),1)
LAB_FLAVOR := -solution
LAB_ORIGIN := $(LAB_DIR)/solution
ifeq ($(wildcard $(LAB_ORIGIN)/*.c),)
$(error SOLUTION=1: $(LAB_ORIGIN)/ is not here (a handout has no solutions))
endif
else ifneq ($(STUDENT),)
LAB_FLAVOR := -student-$(notdir $(abspath $(STUDENT)))
LAB_ORIGIN := $(STUDENT)
else ifneq ($(VARIANT),)
LAB_FLAVOR := -variant-$(VARIANT)
LAB_ORIGIN := $(LAB_DIR)/variants/$(VARIANT)
ifeq ($(wildcard $(LAB_ORIGIN)/wrong.patch),)
$(error VARIANT=$(VARIANT): no $(LAB_ORIGIN)/wrong.patch)
endif
else
LAB_FLAVOR :=
LAB_ORIGIN := $(LAB_DIR)
endif
LAB_B := $(B)/lab-$(LAB)$(LAB_FLAVOR)
LAB_GRADER_SRCS := $(wildcard $(LAB_DIR)/grader/*.c) $(wildcard labs/common/*.c)
LAB_GRADER_OBJS := $(patsubst %.c,$(LAB_B)/g/%.o,$(LAB_GRADER_SRCS))
LAB_DRIVER_OBJS := $(patsubst %.c,$(LAB_B)/d/%.o,$(LAB_FILES))
# The driver sees include/ and its lab's interface header only, as a WDK driver would.
LAB_DRIVER_CFLAGS = $(filter-out -Iinclude,$(CFLAGS)) -Iinclude -I$(LAB_DIR)/include

# The driver sources this flavour compiles, copied into one place: the student's files, the
# solution's, or the solution's with the variant's patch applied (never in the lab folder).
$(LAB_B)/src/.stamp: $(wildcard $(LAB_ORIGIN)/*) $(wildcard $(LAB_DIR)/solution/*.c) $(wildcard $(LAB_DIR)/*.c) \
  | $(if $(VARIANT),need-patch)
	@mkdir -p $(LAB_B)/src
ifeq ($(SOLUTION),1)
	@cp $(addprefix $(LAB_DIR)/solution/,$(LAB_FILES)) $(LAB_B)/src/
else ifneq ($(STUDENT),)
	@cp $(addprefix $(STUDENT)/,$(LAB_FILES)) $(LAB_B)/src/
else ifneq ($(VARIANT),)
	@cp $(addprefix $(LAB_DIR)/solution/,$(LAB_FILES)) $(LAB_B)/src/
	@patch -s -d $(LAB_B)/src -p1 < $(LAB_ORIGIN)/wrong.patch
else
	@cp $(addprefix $(LAB_DIR)/,$(LAB_FILES)) $(LAB_B)/src/
endif
	@touch $@

$(addprefix $(LAB_B)/src/,$(LAB_FILES)): $(LAB_B)/src/.stamp ;

$(LAB_DRIVER_OBJS): $(LAB_B)/d/%.o: $(LAB_B)/src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC  $(LAB_ORIGIN)/$*.c"; $(CC) $(LAB_DRIVER_CFLAGS) -c $(LAB_B)/src/$*.c -o $@

$(LAB_GRADER_OBJS): $(LAB_B)/g/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(CFLAGS) -I$(LAB_DIR)/include -Ilabs/common -c $< -o $@

# The normal kernel.elf is a prerequisite so that every object it links (mk/*.mk may add
# some after this file is read) exists; the recipe's $(OBJS) is expanded late, with them.
$(LAB_B)/kernel.elf: $(B)/kernel.elf $(OBJS) $(LAB_DRIVER_OBJS) $(LAB_GRADER_OBJS) boot/linker.ld tools/mksyms.sh
	@tools/mksyms.sh "" $(LAB_B)/ksyms0.S && $(CC) -c $(LAB_B)/ksyms0.S -o $(LAB_B)/ksyms0.o
	@$(LD) $(LDFLAGS) -o $(LAB_B)/kernel.pass1 $(OBJS) $(LAB_DRIVER_OBJS) $(LAB_GRADER_OBJS) $(LAB_B)/ksyms0.o
	@tools/mksyms.sh $(LAB_B)/kernel.pass1 $(LAB_B)/ksyms.S && $(CC) -c $(LAB_B)/ksyms.S -o $(LAB_B)/ksyms.o
	@$(LD) $(LDFLAGS) -o $@ $(OBJS) $(LAB_DRIVER_OBJS) $(LAB_GRADER_OBJS) $(LAB_B)/ksyms.o
	@echo "  LD  $@"

$(LAB_B)/kernel.bin: $(LAB_B)/kernel.elf
	@$(OBJCOPY) -O binary $< $@

-include $(wildcard $(LAB_B)/d/*.d $(LAB_B)/g/*/*.d $(LAB_B)/g/*/*/*.d $(LAB_B)/g/*/*/*/*.d)

# The narrated workload is the lab's `workload` test; a bug check in it is the student's
# first stop report to read, so it is shown, and the target fails.
# Graded boots are one processor under -icount, so a grade never depends on the host.
lab grade: QSMP = 1
lab: tools $(LAB_B)/kernel.bin
	@$(QEMU) $(QEMU_FLAGS) -accel $(ACCEL) $(ICOUNT) -serial stdio -kernel $(LAB_B)/kernel.bin \
	  -append "ktest=$(LAB).workload verifier=all $(RUN_APPEND)" </dev/null >$(LAB_B)/lab.log 2>&1; \
	  rc=$$?; cat $(LAB_B)/lab.log; grep -q '^ok 1 $(LAB).workload' $(LAB_B)/lab.log || \
	  { echo "make lab: the workload did not finish (QEMU exit status $$rc: 37 is a bug check, 35 a failed check); log in $(LAB_B)/lab.log"; exit 1; }

grade: tools $(if $(VARIANT),need-patch) $(LAB_B)/kernel.bin
	@$(PYTHON) tools/grade.py --lab $(LAB_DIR) --kernel $(LAB_B)/kernel.bin --timeout $(LAB_TIMEOUT) \
	  --qemu "$(QEMU) $(QEMU_FLAGS) -accel tcg $(ICOUNT)" --results $(LAB_B)/results.json \
	  --what "$(if $(filter 1,$(SOLUTION)),the reference solution,$(if $(STUDENT),$(STUDENT),$(if $(VARIANT),wrong solution $(VARIANT),your $(LAB_FILES))))"

need-patch:
	@tools/need.sh patch patch

gdb-lab: tools $(LAB_B)/kernel.bin
	@tools/need.sh gdb gdb
	$(QEMU) $(QEMU_FLAGS) -accel $(ACCEL) -serial stdio -kernel $(LAB_B)/kernel.bin \
	  -append "ktest=$(LAB).$(or $(TEST),workload) verifier=all $(RUN_APPEND)" -s -S & \
	  gdb -q $(LAB_B)/kernel.elf -ex 'target remote :1234' -ex 'hbreak KiSystemStartup' -ex continue; \
	  kill %1 2>/dev/null || true
else
lab grade gdb-lab:
	@echo "make $@: say which lab, e.g. make $@ LAB=$(firstword $(notdir $(patsubst %/,%,$(dir $(wildcard labs/*/grade.json)))))" \
	  "(labs: $(notdir $(patsubst %/,%,$(dir $(wildcard labs/*/grade.json)))))"; exit 2
endif

# The handout: the project as git tracks it, without any solution or wrong solution (and
# without the CI check that needs them), as a folder and a tarball.
handout:
	rm -rf $(HANDOUT) $(HANDOUT).tar.gz && mkdir -p $(HANDOUT)
	git ls-files -z | grep -zv -e '^labs/[^/]*/solution/' -e '^labs/[^/]*/variants/' \
	  -e '^tests/host/labs_graders.sh$$' -e '^tools/mutations/labs' | xargs -0 cp --parents -t $(HANDOUT)
	tar -C $(B) -czf $(HANDOUT).tar.gz handout
	@echo "handout: $(HANDOUT)/ and $(HANDOUT).tar.gz ($$(find $(HANDOUT) -type f | wc -l) files; no solution/ or variants/ left:" \
	  "$$(find $(HANDOUT)/labs -path '*/solution*' -o -path '*/variants*' | wc -l) found)"
